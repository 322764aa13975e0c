namespace CallServer.Domain.Calls;

/// <summary>The mid-call operations that renegotiate media; named as the hub methods.</summary>
public enum MediaOperation
{
    HoldCall,
    UnholdCall,
    VideoStart,
    VideoStop,
}
