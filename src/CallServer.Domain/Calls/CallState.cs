namespace CallServer.Domain.Calls;

/// <summary>A party's view of the call: the seeds' call states.</summary>
public enum CallState
{
    Initial,
    Dialing,
    Ringing,
    Answering,
    InCall,
    OnHold,
    RemotelyHeld,
    OnDoubleHold,
    Ended,
}
