using CallServer.Domain.Addresses;

namespace CallServer.Domain.Commands;

/// <summary><c>CreateOutgoingCall</c>, with what the directory said of the caller and the callee.</summary>
/// <param name="CallId">A fresh id, made by the caller of the decider.</param>
/// <param name="Callee">The parsed callee, null when the text did not parse.</param>
public sealed record CreateCall(string CallId, Requester Requester, CallerProfile Caller, Address? Callee, CalleeLookup CalleeLookup);
