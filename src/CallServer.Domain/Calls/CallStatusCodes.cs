namespace CallServer.Domain.Calls;

/// <summary>The status codes of the mobile SDKs (99xx) and of SIP, as the snapshot carries them.</summary>
public static class CallStatusCodes
{
    public const int EndedByLocalUser = 9901;
    public const int RejectedByLocalUser = 9902;
    public const int IgnoredByLocalUser = 9903;
    public const int RespondedFromAnotherDevice = 9904;
    public const int SessionCompleted = 9905;
    public const int EndedByError = 9906;
    public const int CallForwarded = 9908;
    public const int OperationTimeout = 408;
    public const int Unavailable = 480;
    public const int BusyHere = 486;
    public const int CanceledOrNotAnswered = 487;
    public const int RequestPending = 491;
    public const int Rejected = 603;
}
