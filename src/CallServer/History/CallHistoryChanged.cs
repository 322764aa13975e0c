namespace CallServer.History;

/// <summary>
/// The one argument of the hub event <c>CallHistoryChanged</c>: <c>{ "change": "added" | "removed" | "cleared",
/// "callId": "…" | null }</c>, the call id of an added or removed entry, null when the history was cleared.
/// </summary>
public sealed record CallHistoryChanged(string Change, string? CallId)
{
    public const string AddedChange = "added";
    public const string RemovedChange = "removed";
    public const string ClearedChange = "cleared";

    public static CallHistoryChanged Added(string callId) => new(AddedChange, callId);

    public static CallHistoryChanged Removed(string callId) => new(RemovedChange, callId);

    public static CallHistoryChanged Cleared() => new(ClearedChange, null);
}
