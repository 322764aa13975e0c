using System.Text.Json;

namespace CallServer.Tests.Infrastructure;

/// <summary>The contract's events and methods as one-liners for tests.</summary>
public static class CallEvents
{
    public const string IncomingCall = "IncomingCall";
    public const string CallStatusChanged = "CallStatusChanged";
    public const string RemoteDescription = "RemoteDescription";
    public const string RenegotiationRequested = "RenegotiationRequested";
    public const string CallOperationCompleted = "CallOperationCompleted";
    public const string MediaAttributesChanged = "MediaAttributesChanged";
    public const string IceCandidate = "IceCandidate";
    public const string ServerDraining = "ServerDraining";
    public const string CallHistoryChanged = "CallHistoryChanged";
    public const string TransferRequested = "TransferRequested";
    public const string TransferConnected = "TransferConnected";
    public const string TransferProgress = "TransferProgress";
    public const string DtmfReceived = "DtmfReceived";
    public const string CustomParametersReceived = "CustomParametersReceived";

    /// <summary>Waits for <c>TransferProgress(callId, state, reason)</c> with <paramref name="state"/>; returns the reason.</summary>
    public static async Task<string?> WaitForTransferProgressAsync(this HubTestClient client, string callId, string state, TimeSpan? timeout = null) =>
        (await client.WaitForEventAsync(TransferProgress, a => a[0].GetString() == callId && a[1].GetString() == state, timeout))[2].GetString();

    public static CallView Snapshot(this JsonElement[] arguments, int index = 0) => arguments[index].To<CallView>();

    public static string? Str(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Waits for CallStatusChanged of <paramref name="callId"/> showing <paramref name="state"/> (and <paramref name="endReason"/>).</summary>
    public static async Task<CallView> WaitForStateAsync(this HubTestClient client, string callId, string state, string? endReason = null, TimeSpan? timeout = null)
    {
        var arguments = await client.WaitForEventAsync(
            CallStatusChanged,
            a => a[0].Str("callId") == callId && a[0].Str("state") == state && (endReason is null || a[0].Str("endReason") == endReason),
            timeout);
        return arguments.Snapshot();
    }

    /// <summary>Waits for IncomingCall (of <paramref name="callId"/> when given); returns the snapshot and the offer.</summary>
    public static async Task<(CallView Call, string Offer)> WaitForIncomingCallAsync(this HubTestClient client, string? callId = null, TimeSpan? timeout = null)
    {
        var arguments = await client.WaitForEventAsync(IncomingCall, a => callId is null || a[0].Str("callId") == callId, timeout);
        return (arguments.Snapshot(), arguments[1].GetString()!);
    }

    /// <summary>Waits for MediaAttributesChanged of <paramref name="callId"/> whose snapshot satisfies <paramref name="predicate"/>.</summary>
    public static async Task<CallView> WaitForMediaAsync(this HubTestClient client, string callId, Func<CallView, bool> predicate)
    {
        var arguments = await client.WaitForEventAsync(MediaAttributesChanged, a => a[0].Str("callId") == callId && predicate(a.Snapshot()));
        return arguments.Snapshot();
    }

    /// <summary>Waits for RenegotiationRequested of <paramref name="operationId"/>.</summary>
    public static async Task<Renegotiation> WaitForRenegotiationAsync(this HubTestClient client, string callId, string operationId)
    {
        var a = await client.WaitForEventAsync(RenegotiationRequested, a => a[0].GetString() == callId && a[1].GetString() == operationId);
        return new Renegotiation(a[0].GetString()!, a[1].GetString()!, a[2].GetString()!, a[3].GetString()!);
    }

    /// <summary>Waits for CallOperationCompleted of <paramref name="operationId"/>.</summary>
    public static async Task<OperationCompleted> WaitForCompletionAsync(this HubTestClient client, string callId, string operationId, TimeSpan? timeout = null)
    {
        var a = await client.WaitForEventAsync(CallOperationCompleted, a => a[0].GetString() == callId && a[1].GetString() == operationId, timeout);
        return new OperationCompleted(
            a[0].GetString()!,
            a[1].GetString()!,
            a[2].GetString()!,
            a[3].GetBoolean(),
            a.Length > 4 && a[4].ValueKind == JsonValueKind.String ? a[4].GetString() : null,
            a.Length > 5 && a[5].ValueKind == JsonValueKind.String ? a[5].GetString() : null);
    }

    public static Task<CallView> CreateCallAsync(this HubTestClient client, string callee) =>
        client.InvokeAsync<CallView>("CreateOutgoingCall", callee);

    public static Task<CallView> GetCallAsync(this HubTestClient client, string callId) =>
        client.InvokeAsync<CallView>("GetCall", callId);

    /// <summary>Asserts that <paramref name="action"/> is refused with <paramref name="code"/>.</summary>
    public static async Task<HubErrorException> AssertRefusedAsync(string code, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<HubErrorException>(action);
        Assert.True(code == error.Code, $"expected {code}, got {error.Code} ({error.Message})");
        return error;
    }

    /// <summary>Asserts that a refused command left the call as it was: same state and sequence.</summary>
    public static async Task AssertUnchangedAsync(this HubTestClient client, CallView before)
    {
        var after = await client.GetCallAsync(before.CallId);
        Assert.Equal(before.State, after.State);
        Assert.Equal(before.Sequence, after.Sequence);
        Assert.Equal(before.RemoteAddress, after.RemoteAddress);
        Assert.Equal(before.LocalHold, after.LocalHold);
        Assert.Equal(before.RemoteHold, after.RemoteHold);
        Assert.Equal(before.Media, after.Media);
    }
}

public sealed record Renegotiation(string CallId, string OperationId, string Operation, string SdpOffer);

public sealed record OperationCompleted(string CallId, string OperationId, string Operation, bool Succeeded, string? Error, string? SdpAnswer);
