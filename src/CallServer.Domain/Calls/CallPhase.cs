namespace CallServer.Domain.Calls;

/// <summary>Where the call as a whole is; each party's <see cref="CallState"/> is projected from it.</summary>
public enum CallPhase
{
    /// <summary>Created; no offer yet.</summary>
    Initial,

    /// <summary>The offer is in; the callee's devices are being alerted.</summary>
    Dialing,

    /// <summary>At least one callee device was alerted.</summary>
    Ringing,

    /// <summary>A callee device accepted; its answer is on its way to the caller.</summary>
    Answering,

    /// <summary>Media is set up; holds are per party on top of this phase.</summary>
    Connected,

    Ended,
}
