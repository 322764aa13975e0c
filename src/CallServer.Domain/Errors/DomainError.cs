namespace CallServer.Domain.Errors;

/// <summary>Why a command was refused. <see cref="ToString"/> gives the wire form <c>Code: message</c>.</summary>
public sealed record DomainError(ErrorCode Code, string Message)
{
    public static DomainError Of(ErrorCode code, string message) => new(code, message);

    public override string ToString() => $"{Code}: {Message}";
}
