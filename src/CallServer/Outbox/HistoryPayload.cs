using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using CallServer.Domain.Addresses;

namespace CallServer.Outbox;

/// <summary>
/// A message of the topic <see cref="OutboxTopic.History"/>: the call record (<see cref="CallRecordPayload"/>,
/// flat) plus <c>callerAccount</c>, the account that placed the call (for an anonymous caller its own account).
/// </summary>
public sealed record HistoryPayload : CallRecordPayload
{
    [JsonConstructor]
    public HistoryPayload()
    {
    }

    [SetsRequiredMembers]
    public HistoryPayload(CallRecordPayload record, string callerAccount)
        : base(record)
    {
        CallerAccount = callerAccount;
    }

    [JsonPropertyOrder(1)] // after the record's fields, where the version before wrote it
    public required string CallerAccount { get; init; }

    public Address CallerAccountAddress() => AddressOf(CallerAccount, "callerAccount");
}
