using CallServer.Domain.Errors;

namespace CallServer.Application;

/// <summary>A command that cannot be done; its message is the wire form <c>Code: message</c>.</summary>
public sealed class CallRefusedException(DomainError error) : Exception(error.ToString())
{
    public DomainError Error { get; } = error;

    public static CallRefusedException Of(ErrorCode code, string message) => new(DomainError.Of(code, message));
}
