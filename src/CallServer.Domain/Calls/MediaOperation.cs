namespace CallServer.Domain.Calls;

/// <summary>The mid-call operations that renegotiate media; named as the hub methods.</summary>
public enum MediaOperation
{
    HoldCall,
    UnholdCall,
    VideoStart,
    VideoStop,

    /// <summary>Another device of the initiator's account takes the call over (its own offer; <c>PullCall</c>).</summary>
    PullCall,
}
