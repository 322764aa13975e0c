namespace CallServer.Domain.Calls;

/// <summary>What a call to a user whose devices are in other calls does (rule 22; <c>Calls:BusyPolicy</c>, per user <c>busyPolicy</c>).</summary>
public enum BusyPolicy
{
    /// <summary>A device in a call rings too, its <c>IncomingCall</c> flagged <c>waiting</c> (call waiting).</summary>
    CallWaiting,

    /// <summary>A device in a call is not rung; a callee all of whose connected devices are in calls (and who has no push registration) is busy: the call ends <see cref="EndReason.Busy"/>.</summary>
    Busy,
}
