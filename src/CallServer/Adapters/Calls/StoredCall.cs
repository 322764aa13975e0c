namespace CallServer.Adapters.Calls;

// The stored form of a call (schema 1), apart from the domain's Call so that a change of the domain
// record never changes what is in Redis by accident. Field names and shapes are those the unversioned
// format (schema 0) had, so that a node of either version reads what the other wrote. Change these
// types only by the rules of "Stored format and rolling upgrades" in docs/architecture.md; the golden
// files of CallServer.Storage.Tests fail on any other change.

/// <summary>A call as stored in the hash field <c>d</c> of <c>call:&lt;id&gt;</c>.</summary>
public sealed class StoredCall
{
    /// <summary>The format of this record: <see cref="StoredCallFormat.CurrentSchema"/> when written; 0 when absent.</summary>
    public int Schema { get; init; }

    public required string CallId { get; init; }

    public long Version { get; init; }

    public required StoredParty Caller { get; init; }

    public required StoredParty Callee { get; init; }

    /// <summary>A <c>CallPhase</c> by name.</summary>
    public required string Phase { get; init; }

    /// <summary>An <c>OfferKind</c> by name.</summary>
    public string? OfferKind { get; init; }

    public string? Offer { get; init; }

    public IReadOnlyList<StoredCalleeDevice> Devices { get; init; } = [];

    /// <summary>Addresses, as their text.</summary>
    public IReadOnlyList<string> ForwardChain { get; init; } = [];

    public IReadOnlyList<StoredIceCandidate> CandidatesForCallee { get; init; } = [];

    public IReadOnlyList<StoredDeviceCandidate> CandidatesFromDevices { get; init; } = [];

    public StoredPendingOperation? PendingOperation { get; init; }

    public int RingGeneration { get; init; }

    /// <summary>Added within schema 1 (absent when no push was sent; a node that does not know it skips it).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? WokenAccount { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? WokenAt { get; init; }

    /// <summary>Added within schema 1 for the call record (absent until set).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RingingAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? HeldSince { get; init; }

    /// <summary>
    /// Added within schema 1 for <c>PullCall</c>: the devices the call was pulled away from (absent while none;
    /// a node of the version before skips it, so its old device would no longer be told it lost the call).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public List<StoredMovedDevice>? MovedFrom { get; init; }

    /// <summary>Added within schema 1 for transfers (issue 16): the transfer of this call in progress or that ended it; absent when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredTransfer? Transfer { get; init; }

    /// <summary>Added within schema 1: for a call placed by a transfer, where it came from; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredTransferOrigin? TransferredFrom { get; init; }

    /// <summary>Added within schema 1: an anonymous caller's allowed callees (addresses); absent for everyone else.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? CallerAllowedCallees { get; init; }

    /// <summary>Milliseconds on hold so far; absent while zero.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? HeldForMs { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Added within schema 1 (issue 18): the end reason text; absent when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? EndReasonText { get; init; }
}

/// <summary>One side of a stored call.</summary>
public sealed class StoredParty
{
    public required string Address { get; init; }

    public required string Account { get; init; }

    public string? DeviceId { get; init; }

    public string? DisplayName { get; init; }

    public bool Held { get; init; }

    public bool Muted { get; init; }

    public bool SendsVideo { get; init; }

    public bool Connected { get; init; } = true;

    public int GraceGeneration { get; init; }

    public StoredCallEnd? End { get; init; }

    /// <summary>Added within schema 1 (issue 18): the party's custom parameters; absent when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? CustomParameters { get; init; }

    /// <summary>Added within schema 1 (issue 18): the party's quality reports; absent before the first.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredQuality? Quality { get; init; }
}

/// <summary>One side's quality reports: per measure min, max, sum and count; the worst window; the samples of the current window.</summary>
public sealed class StoredQuality
{
    public required StoredMetric Rtt { get; init; }

    public required StoredMetric Jitter { get; init; }

    public required StoredMetric PacketLoss { get; init; }

    public required StoredMetric Mos { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredMetric? AudioBitrate { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredMetric? VideoBitrate { get; init; }

    public required StoredQualityWindow Worst { get; init; }

    public List<StoredQualitySample> Recent { get; init; } = [];
}

public sealed class StoredMetric
{
    public double Min { get; init; }

    public double Max { get; init; }

    public double Sum { get; init; }

    public int Count { get; init; }
}

public sealed class StoredQualityWindow
{
    public DateTimeOffset From { get; init; }

    public DateTimeOffset To { get; init; }

    public int Samples { get; init; }

    public double Mos { get; init; }

    public double RttMs { get; init; }

    public double JitterMs { get; init; }

    public double PacketLossPercent { get; init; }
}

public sealed class StoredQualitySample
{
    public DateTimeOffset At { get; init; }

    public double RttMs { get; init; }

    public double JitterMs { get; init; }

    public double PacketLossPercent { get; init; }

    public double Mos { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? AudioBitrateKbps { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? VideoBitrateKbps { get; init; }
}

public sealed class StoredCallEnd
{
    /// <summary>An <c>EndReason</c> by name.</summary>
    public required string Reason { get; init; }

    public int StatusCode { get; init; }
}

public sealed class StoredCalleeDevice
{
    public required string DeviceId { get; init; }

    public required string Account { get; init; }

    public StoredCallEnd? LocalEnd { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Added within schema 1 (issue 18): rung while in another call; absent when not.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? Waiting { get; init; }
}

public sealed class StoredIceCandidate
{
    public required string Candidate { get; init; }

    public string? SdpMid { get; init; }

    public int? SdpMLineIndex { get; init; }
}

public sealed class StoredDeviceCandidate
{
    public required string DeviceId { get; init; }

    public required StoredIceCandidate Candidate { get; init; }
}

public sealed class StoredPendingOperation
{
    public required string OperationId { get; init; }

    /// <summary>A <c>MediaOperation</c> by name.</summary>
    public required string Operation { get; init; }

    /// <summary>A <c>CallSide</c> by name.</summary>
    public required string Initiator { get; init; }

    public required string SdpOffer { get; init; }

    /// <summary>Added within schema 1: the pulling device of a <c>PullCall</c> (absent otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? PullingDevice { get; init; }
}

/// <summary>A device the call was pulled away from.</summary>
public sealed class StoredMovedDevice
{
    /// <summary>A <c>CallSide</c> by name.</summary>
    public required string Side { get; init; }

    public required string DeviceId { get; init; }

    public DateTimeOffset MovedAt { get; init; }
}

/// <summary>A transfer of the call (names of <c>TransferKind</c>, <c>TransferRole</c>, <c>CallSide</c>, <c>TransferStage</c>).</summary>
public sealed class StoredTransfer
{
    public required string NewCallId { get; init; }

    public required string Kind { get; init; }

    public required string Role { get; init; }

    public required string TransferorSide { get; init; }

    public required string Target { get; init; }

    public required string Stage { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? OtherCallId { get; init; }
}

/// <summary>Where a call placed by a transfer came from.</summary>
public sealed class StoredTransferOrigin
{
    public required string CallId { get; init; }

    public required string TransferredBy { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ReplacesCallId { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? TargetDevice { get; init; }
}
