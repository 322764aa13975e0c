using System.Text.RegularExpressions;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>
/// During the call (issue 18): who rings when the callee is in another call (rule 22), DTMF (rule 24), custom
/// parameters (rule 25), the end reason text (rule 26), quality reports (rule 27).
/// </summary>
public static partial class CallDecider
{
    public const int MaxEndReasonTextLength = 256;

    public const int MaxDtmfDigits = 64;

    /// <summary>
    /// Rule 22: the devices of <paramref name="lookup"/> that ring, each flagged <see cref="CalleeDevice.Waiting"/> when it
    /// is in another call (<see cref="BusyPolicy.CallWaiting"/>) or left out (<see cref="BusyPolicy.Busy"/>); busy when
    /// devices are connected, none rings, and no phone can be woken. <paramref name="exempt"/>: a device that is
    /// meant to take this call though it is in another (the target of a consultative transfer).
    /// </summary>
    public static (IReadOnlyList<CalleeDevice> Ring, bool Busy) DevicesToRing(CalleeLookup lookup, Address ringAccount, string? exempt)
    {
        var ring = new List<CalleeDevice>();
        foreach (var deviceId in lookup.Devices.Distinct())
        {
            var inCall = deviceId != exempt && lookup.BusyDevices.Contains(deviceId);
            if (inCall && lookup.BusyPolicy == BusyPolicy.Busy)
            {
                continue;
            }

            ring.Add(new CalleeDevice(deviceId, ringAccount) { Waiting = inCall });
        }

        return (ring, ring.Count == 0 && lookup.Devices.Count > 0 && !lookup.Wakeable);
    }

    /// <summary>
    /// Rule 22: the devices of <paramref name="account"/> that are in a call among <paramref name="calls"/>: bound to a call
    /// that was offered and has not ended (placing it, or answered on it). A device that only rings is not in a call.
    /// </summary>
    public static IReadOnlySet<string> DevicesInCall(IEnumerable<Call> calls, Address account)
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        foreach (var call in calls)
        {
            if (call.Phase is CallPhase.Initial or CallPhase.Ended)
            {
                continue;
            }

            foreach (var party in new[] { call.Caller, call.Callee })
            {
                if (party.Account == account && party.DeviceId is { } device)
                {
                    devices.Add(device);
                }
            }
        }

        return devices;
    }

    /// <summary>
    /// Rule 24: the digits go to the other party's device as <c>DtmfReceived</c>; only from the bound device of a party
    /// whose call is <c>InCall</c> (answered, neither side holding). Nothing is saved.
    /// </summary>
    private static Decision SendDtmf(Call call, SendDtmf command)
    {
        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (command.Digits is not { Length: > 0 and <= MaxDtmfDigits } || !DtmfDigits().IsMatch(command.Digits))
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, $"DTMF digits are 1 to {MaxDtmfDigits} of 0-9, *, #, A-D and ','");
        }

        if (call.Phase != CallPhase.Connected || call.Caller.Held || call.Callee.Held)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "DTMF is sent only while the call is InCall");
        }

        return Decision.Unchanged(call, new DtmfReceivedNotification(CallViewer.PartyOf(call, side.Other()), command.Digits));
    }

    /// <summary>
    /// Rule 25: a party's parameters during the call (any state but ended), merged into its own and sent to the other
    /// party's device (each ringing device while the call rings) as <c>CustomParametersReceived</c>.
    /// </summary>
    private static Decision SendCustomParameters(Call call, SendCustomParameters command)
    {
        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        var party = call.Party(side);
        var (parameters, error) = MergedParameters(party, command.CustomParameters);
        if (error is not null)
        {
            return Decision.Refuse(error);
        }

        if (command.CustomParameters is not { Count: > 0 })
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "no custom parameters to send");
        }

        var other = side.Other();
        var viewers = call.Party(other).DeviceId is { } bound
            ? [new CallViewer(other, bound)]
            : call.Phase == CallPhase.Initial ? [] : call.RingingDevices.Select(d => CallViewer.CalleeDevice(d.DeviceId)).ToList();
        return Decision.Changes(
            call,
            call.WithParty(side, party with { CustomParameters = parameters! }),
            [.. viewers.SelectMany(viewer => ParametersTo(viewer, command.CustomParameters))]);
    }

    /// <summary>
    /// Rule 27: a party's quality sample, from its bound device while the call is connected, at most one a
    /// <see cref="CallQuality.MinInterval"/>; kept in the call for its record. The other party is told nothing.
    /// </summary>
    private static Decision ReportQuality(Call call, ReportQuality command, DateTimeOffset now)
    {
        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (command.Sample.Check() is { } invalid)
        {
            return Decision.Refuse(invalid);
        }

        if (call.Phase != CallPhase.Connected)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "quality is reported only while the call is connected");
        }

        var party = call.Party(side);
        if (party.Quality is { } quality && now - quality.LastAt < CallQuality.MinInterval)
        {
            return Decision.Refuse(ErrorCode.RateLimited, $"at most one quality sample per {CallQuality.MinInterval.TotalSeconds:0} s");
        }

        return Decision.Changes(call, call.WithParty(side, party with { Quality = CallQuality.Add(party.Quality, command.Sample, now) }), []);
    }

    /// <summary>Rule 25: <paramref name="party"/>'s parameters with <paramref name="sent"/> over them, or why they are refused.</summary>
    private static (CustomParameters? Merged, DomainError? Error) MergedParameters(PartyState party, IReadOnlyDictionary<string, string>? sent)
    {
        var (parsed, error) = CustomParameters.Parse(sent);
        return error is not null ? (null, error) : party.CustomParameters.Merge(parsed!);
    }

    /// <summary>The <c>CustomParametersReceived</c> for parameters a command carried (none when it carried none).</summary>
    private static IReadOnlyList<CallNotification> ParametersTo(CallViewer viewer, IReadOnlyDictionary<string, string>? sent) =>
        sent is { Count: > 0 } ? [new CustomParametersReceivedNotification(viewer, CustomParameters.Of(sent))] : [];

    [GeneratedRegex(@"^[0-9A-D*#,]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DtmfDigits();
}
