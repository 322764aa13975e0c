using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Ports;
using CallServer.Outbox;

namespace CallServer.Application;

/// <summary>
/// A decision together with the follow-ups it asks for (Dialing → Ringing, Answering → InCall), decided at
/// once on the call each step leaves: the steps are saved as one compare-and-set (one store round trip
/// where there were two or three) and carried out one after the other, each step's notifications with the
/// call as that step left it, so clients see the same events in the same order. A follow-up the decider
/// refuses is not folded: it is left, with those after it, to run after the save (<see cref="Remaining"/>).
/// </summary>
public sealed class FoldedDecision
{
    /// <summary>Follow-ups of follow-ups are folded too, up to this many steps in all (the decider asks for one).</summary>
    public const int MaxSteps = 8;

    private FoldedDecision(IReadOnlyList<FoldedStep> steps, IReadOnlyList<CallCommand> remaining)
    {
        Steps = steps;
        Remaining = remaining;
    }

    /// <summary>The decisions in order: the command's first, then each folded follow-up's.</summary>
    public IReadOnlyList<FoldedStep> Steps { get; }

    /// <summary>Follow-ups not folded, to run after the save as separate commands.</summary>
    public IReadOnlyList<CallCommand> Remaining { get; }

    /// <summary>The call after the last step: what is saved.</summary>
    public Call Call => Steps[^1].Decision.Call!;

    /// <summary>Whether any step changed the call (else nothing is saved).</summary>
    public bool Changed => Steps.Any(step => step.Decision.Changed);

    /// <summary>Every step's timers, in order (the store schedules them with the save).</summary>
    public IReadOnlyList<TimerRequest> Timers => [.. Steps.SelectMany(step => step.Decision.Timers)];

    /// <summary>Folds the follow-ups of <paramref name="first"/>, a decision on <paramref name="before"/> that was not refused.</summary>
    public static FoldedDecision Of(Call before, Decision first, Func<Call, CallCommand, Decision> decide)
    {
        var steps = new List<FoldedStep> { new(before, first) };
        if (!first.Changed)
        {
            return new FoldedDecision(steps, first.FollowUps);
        }

        var pending = new Queue<CallCommand>(first.FollowUps);
        var call = first.Call!;
        while (pending.Count > 0 && steps.Count < MaxSteps)
        {
            var decision = decide(call, pending.Peek());
            if (decision.IsRefused)
            {
                break;
            }

            pending.Dequeue();
            steps.Add(new FoldedStep(call, decision));
            call = decision.Call!;
            foreach (var next in decision.FollowUps)
            {
                pending.Enqueue(next);
            }
        }

        return new FoldedDecision(steps, [.. pending]);
    }

    /// <summary>The outbox messages of every changed step, in order (each from the call before it to the call after).</summary>
    public IReadOnlyList<OutboxMessage> Outbox(DateTimeOffset now, CallOutboxSettings settings) =>
        Steps.Count == 1
            ? CallOutbox.MessagesOf(Steps[0].Before, Steps[0].Decision, now, settings)
            : [.. Steps.SelectMany(step => CallOutbox.MessagesOf(step.Before, step.Decision, now, settings))];
}

/// <summary>One step of a <see cref="FoldedDecision"/>: the call it was decided on and the decision.</summary>
public sealed record FoldedStep(Call Before, Decision Decision);
