using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Domain.Sdp;
using FsCheck;
using FsCheck.Fluent;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>
/// FsCheck generators of calls and users of any shape the domain types allow (not only the ones the decider
/// makes): every enum value, addresses of the three kinds, texts with quotes, controls and non-ASCII,
/// instants with any offset and tick, nulls wherever a field may be null.
/// </summary>
public static class RandomRecords
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Elements("", " ", "\"quoted\" \\ back", "line\r\nbreak\t", "Ünïcødé 日本語 🎧", "</script>&<>'", "\u0000\u001f\u007f", "+15551234567"),
        Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 0xD7FF).Select(c => (char)c), n)).Select(chars => new string(chars)),
        Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0x20, 0x7E).Select(c => (char)c), n)).Select(chars => new string(chars)));

    private static readonly Gen<string?> OptionalText = Gen.Frequency((1, Gen.Constant<string?>(null)), (3, Text.Select(t => (string?)t)));

    private static readonly Gen<Address> UserAddress =
        from first in Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray())
        from rest in Gen.Choose(0, 20).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789._-".ToCharArray()), n))
        from domain in Gen.Elements("example.test", "calls.example.com", "x.y.z.a-b.org", "localhost")
        select Address.Parse(first + new string(rest) + "@" + domain, "unused.test");

    private static readonly Gen<Address> AnonymousAddress =
        from suffix in Gen.Choose(1, 20).SelectMany(n => Gen.ArrayOf(Gen.Elements("0123456789abcdef".ToCharArray()), n))
        select Address.Parse(Address.AnonymousPrefix + new string(suffix) + "@example.test", "unused.test");

    private static readonly Gen<Address> TelephoneAddress =
        from first in Gen.Choose(1, 9)
        from rest in Gen.Choose(1, 14).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
        select Address.Parse("tel:+" + first + string.Concat(rest), "unused.test");

    private static readonly Gen<Address> AnyAddress = Gen.Frequency((4, UserAddress), (1, AnonymousAddress), (1, TelephoneAddress));

    private static readonly Gen<int> AnyInt = Gen.OneOf(Gen.Choose(0, 10), Gen.Choose(int.MinValue, int.MaxValue), Gen.Elements(int.MinValue, int.MaxValue));

    private static readonly Gen<long> AnyLong =
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(0, int.MaxValue)
        from small in Gen.Choose(0, 1000)
        from pick in Gen.Choose(0, 2)
        select pick == 0 ? small : pick == 1 ? ((long)high << 31) | (uint)low : long.MaxValue;

    /// <summary>Any tick from 1970 to 2200, at any whole-minute offset the type allows (±14 h).</summary>
    private static readonly Gen<DateTimeOffset> Instant =
        from high in Gen.Choose(0, 33_800_000)
        from low in Gen.Choose(0, int.MaxValue)
        from offsetMinutes in Gen.Choose(-14 * 60, 14 * 60)
        select new DateTimeOffset(DateTime.UnixEpoch.Ticks + ((long)high * int.MaxValue) + low, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    private static readonly Gen<DateTimeOffset?> OptionalInstant = Gen.Frequency((1, Gen.Constant<DateTimeOffset?>(null)), (2, Instant.Select(i => (DateTimeOffset?)i)));

    private static readonly Gen<CallEnd?> OptionalEnd = Gen.Frequency(
        (1, Gen.Constant<CallEnd?>(null)),
        (2, from reason in Gen.Elements(Enum.GetValues<EndReason>()) from code in AnyInt select (CallEnd?)new CallEnd(reason, code)));

    private static readonly Gen<IceCandidate> Candidate =
        from line in Text
        from mid in OptionalText
        from index in Gen.Frequency((1, Gen.Constant<int?>(null)), (2, AnyInt.Select(i => (int?)i)))
        select new IceCandidate(line, mid, index);

    /// <summary>Custom parameters (rule 25): none most of the time, else up to four keys with any text.</summary>
    private static readonly Gen<CustomParameters> AnyParameters = Gen.Frequency(
        (2, Gen.Constant(CustomParameters.None)),
        (1, ListOf(from key in Gen.Elements("ticket", "a", "K-9", "x_y", new string('k', 64)) from value in Text select KeyValuePair.Create(key, value))
            .Select(pairs => CustomParameters.Of(pairs.DistinctBy(p => p.Key)))));

    private static readonly Gen<QualitySample> AnySample =
        from rtt in Gen.Choose(0, 600_000)
        from jitter in Gen.Choose(0, 100_000)
        from loss in Gen.Choose(0, 1000)
        from mos in Gen.Choose(100, 500)
        from audio in Gen.Frequency((1, Gen.Constant<double?>(null)), (2, Gen.Choose(0, 100_000).Select(k => (double?)(k / 3.0))))
        from video in Gen.Frequency((2, Gen.Constant<double?>(null)), (1, Gen.Choose(0, 1_000_000).Select(k => (double?)(k / 7.0))))
        select new QualitySample(rtt / 10.0, jitter / 3.0, loss / 10.0, mos / 100.0, audio, video);

    /// <summary>A side's quality (rule 27): none, or one to eight samples a few seconds apart from any instant.</summary>
    private static readonly Gen<CallQuality?> OptionalQuality = Gen.Frequency(
        (2, Gen.Constant<CallQuality?>(null)),
        (1,
            from start in Instant
            from samples in Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(AnySample, n))
            from gapSeconds in Gen.Choose(1, 12)
            select (CallQuality?)samples.Select((sample, i) => (sample, i)).Aggregate(
                (CallQuality?)null,
                (quality, next) => CallQuality.Add(quality, next.sample, start.AddSeconds(next.i * gapSeconds)))));

    private static readonly Gen<PartyState> Party =
        from address in AnyAddress
        from account in Gen.Frequency((3, Gen.Constant(address)), (1, AnyAddress))
        from device in OptionalText
        from name in OptionalText
        from flags in Gen.Choose(0, 15)
        from grace in AnyInt
        from end in OptionalEnd
        from parameters in AnyParameters
        from quality in OptionalQuality
        select new PartyState(address, account, device)
        {
            CustomParameters = parameters,
            Quality = quality,
            DisplayName = name,
            Held = (flags & 1) != 0,
            Muted = (flags & 2) != 0,
            SendsVideo = (flags & 4) != 0,
            Connected = (flags & 8) != 0,
            GraceGeneration = grace,
            End = end,
        };

    private static readonly Gen<CalleeDevice> Device =
        from id in Text
        from account in AnyAddress
        from end in OptionalEnd
        from endedAt in OptionalInstant
        from waiting in Gen.Elements(false, false, true)
        select new CalleeDevice(id, account, end) { EndedAt = endedAt, Waiting = waiting };

    private static readonly Gen<PendingOperation?> OptionalOperation = Gen.Frequency(
        (1, Gen.Constant<PendingOperation?>(null)),
        (1, from id in Text
            from operation in Gen.Elements(Enum.GetValues<MediaOperation>())
            from initiator in Gen.Elements(Enum.GetValues<CallSide>())
            from offer in Text
            from pulling in Text
            select (PendingOperation?)new PendingOperation(id, operation, initiator, offer) { PullingDevice = operation == MediaOperation.PullCall ? pulling : null }));

    private static readonly Gen<MovedDevice> Moved =
        from side in Gen.Elements(Enum.GetValues<CallSide>())
        from device in Text
        from at in Instant
        select new MovedDevice(side, device, at);

    private static readonly Gen<CallTransfer?> OptionalTransfer = Gen.Frequency(
        (2, Gen.Constant<CallTransfer?>(null)),
        (1,
            from newCallId in Text
            from kind in Gen.Elements(Enum.GetValues<TransferKind>())
            from role in Gen.Elements(Enum.GetValues<TransferRole>())
            from side in Gen.Elements(Enum.GetValues<CallSide>())
            from target in AnyAddress
            from stage in Gen.Elements(Enum.GetValues<TransferStage>())
            from other in OptionalText
            select (CallTransfer?)new CallTransfer(newCallId, kind, role, side, target, stage, other)));

    private static readonly Gen<TransferOrigin?> OptionalOrigin = Gen.Frequency(
        (2, Gen.Constant<TransferOrigin?>(null)),
        (1,
            from callId in Text
            from transferredBy in AnyAddress
            from replaces in OptionalText
            from device in OptionalText
            select (TransferOrigin?)new TransferOrigin(callId, transferredBy, replaces, device)));

    public static Gen<Call> Calls { get; } =
        from id in Text
        from version in AnyLong
        from caller in Party
        from callee in Party
        from phase in Gen.Elements(Enum.GetValues<CallPhase>())
        from offerKind in Gen.Frequency((1, Gen.Constant<OfferKind?>(null)), (2, Gen.Elements(Enum.GetValues<OfferKind>()).Select(k => (OfferKind?)k)))
        from offer in OptionalText
        from devices in ListOf(Device)
        from chain in ListOf(AnyAddress)
        from forCallee in ListOf(Candidate)
        from fromDevices in ListOf(from device in Text from candidate in Candidate select new DeviceCandidate(device, candidate))
        from operation in OptionalOperation
        from ringGeneration in AnyInt
        from createdAt in Instant
        from answeredAt in OptionalInstant
        from endedAt in OptionalInstant
        from woken in Gen.Frequency((1, Gen.Constant<Address?>(null)), (1, AnyAddress.Select(a => (Address?)a)))
        from wokenAt in Instant
        from ringingAt in OptionalInstant
        from heldSince in OptionalInstant
        from heldForMs in Gen.Choose(0, 10_000_000)
        from movedFrom in ListOf(Moved)
        from transfer in OptionalTransfer
        from origin in OptionalOrigin
        from allowed in Gen.Frequency((2, Gen.Constant<List<Address>?>(null)), (1, ListOf(AnyAddress).Select(a => (List<Address>?)a.ToList())))
        from endReasonText in OptionalText
        select new Call
        {
            EndReasonText = endReasonText,
            CallId = id,
            Version = version,
            Caller = caller,
            Callee = callee,
            Phase = phase,
            OfferKind = offerKind,
            Offer = offer,
            Devices = [.. devices],
            ForwardChain = [.. chain],
            CandidatesForCallee = [.. forCallee],
            CandidatesFromDevices = [.. fromDevices],
            PendingOperation = operation,
            MovedFrom = [.. movedFrom],
            Transfer = transfer,
            TransferredFrom = origin,
            CallerAllowedCallees = allowed is null ? null : [.. allowed],
            RingGeneration = ringGeneration,
            CreatedAt = createdAt,
            AnsweredAt = answeredAt,
            EndedAt = endedAt,
            WokenAccount = woken,
            WokenAt = woken is null ? null : wokenAt,
            RingingAt = ringingAt,
            HeldSince = heldSince,
            HeldFor = TimeSpan.FromMilliseconds(heldForMs),
        };

    public static Gen<UserAccount> Users { get; } =
        from username in Text
        from address in AnyAddress
        from hash in Text
        from numbers in ListOf(Text)
        from createdAt in Instant
        from busyPolicy in Gen.Elements<BusyPolicy?>(null, BusyPolicy.CallWaiting, BusyPolicy.Busy)
        select new UserAccount(username, address, hash, numbers, createdAt) { BusyPolicy = busyPolicy };

    private static Gen<T[]> ListOf<T>(Gen<T> element) => Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(element, n));
}
