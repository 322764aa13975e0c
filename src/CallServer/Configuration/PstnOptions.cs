namespace CallServer.Configuration;

/// <summary><c>Pstn:*</c>: the registered user whose devices take calls to <c>tel:</c> addresses.</summary>
public sealed class PstnOptions
{
    public const string Section = "Pstn";

    public string? GatewayUser { get; set; }
}
