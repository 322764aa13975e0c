using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>
/// Rule 14 as far as the decider goes: two commands decided on the same version may each be taken
/// alone; the store keeps the first and re-decides the second on the new version, where it must lose.
/// </summary>
public sealed class CallDeciderRaceTests
{
    public static TheoryData<string> Races => new(RaceCases.Keys);

    private static readonly Dictionary<string, (Func<CallScenario> Setup, CallCommand First, CallCommand Second, ErrorCode Loses)> RaceCases = new()
    {
        ["two accepts"] = (() => Ringing(), new AcceptCall(BobPhone, TestSdp.Answer()), new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["accept then reject"] = (() => Ringing(), new AcceptCall(BobPhone, TestSdp.Answer()), new RejectCall(BobLaptop), ErrorCode.InvalidState),
        ["reject then accept"] = (() => Ringing(), new RejectCall(BobPhone), new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["cancel then accept"] = (() => Ringing(), new EndCall(AlicePhone), new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["forward then accept"] = (() => Ringing(), ForwardTo(BobPhone, Carol, CarolPhone), new AcceptCall(BobLaptop, TestSdp.Answer()), ErrorCode.InvalidState),
        ["accept then forward"] = (() => Ringing(), new AcceptCall(BobLaptop, TestSdp.Answer()), ForwardTo(BobPhone, Carol, CarolPhone), ErrorCode.InvalidState),
        ["ring timeout then accept"] = (() => Ringing(), new TimerElapsed(Calls.CallTimerKind.Ring, "1"), new AcceptCall(BobPhone, TestSdp.Answer()), ErrorCode.InvalidState),
        ["hold and hold"] = (() => InCall(), Hold(AlicePhone, "op-a"), Hold(BobPhone, "op-b"), ErrorCode.OperationInProgress),
        ["hold and video start"] = (() => InCall(), Hold(BobPhone, "op-a"), VideoStart(AlicePhone, "op-b"), ErrorCode.OperationInProgress),
        ["end and end"] = (() => InCall(), new EndCall(AlicePhone), new EndCall(BobPhone), ErrorCode.InvalidState),
        ["end and hold"] = (() => InCall(), new EndCall(BobPhone), Hold(AlicePhone, "op-a"), ErrorCode.InvalidState),
    };

    [Theory]
    [MemberData(nameof(Races))]
    public void Two_racing_commands_never_both_win(string name)
    {
        var (setup, first, second, loses) = RaceCases[name];
        var s = setup();
        var baseCall = s.Call;

        // Decided alone on the same version, each would be taken.
        var secondAlone = CallDecider.Decide(baseCall, second, Settings, s.Now);
        Assert.Null(secondAlone.Error);
        Assert.True(secondAlone.Changed);
        Assert.Equal(baseCall.Version + 1, secondAlone.Call!.Version);

        // The first one wins; the second, decided again on the new version, loses.
        s.Do(first, followUps: false);
        s.Refuse(second, loses);
    }
}
