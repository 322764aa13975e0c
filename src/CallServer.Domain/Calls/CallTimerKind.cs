namespace CallServer.Domain.Calls;

public enum CallTimerKind
{
    /// <summary>Ringing for too long: the call ends with NoAnswer.</summary>
    Ring,

    /// <summary>A renegotiation not answered in time fails with Timeout.</summary>
    Operation,

    /// <summary>A lost connection not resumed in time ends the call with ConnectionLost.</summary>
    ReconnectGrace,

    /// <summary>Backstop: an accepted call still Answering moves on to InCall.</summary>
    AnswerCompletion,

    /// <summary>A created call never established (no offer within the ring timeout) fails.</summary>
    Setup,

    /// <summary>A transfer whose new call never rang (the transferee did not place it) fails; the token is the new call's id.</summary>
    Transfer,
}
