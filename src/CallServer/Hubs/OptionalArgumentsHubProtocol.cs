using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CallServer.Hubs;

/// <summary>
/// The JSON hub protocol, letting a client leave out a hub method's trailing parameters that have a default value:
/// the contract adds arguments to existing methods (issue 18: <c>EndCall(callId, reason?, customParameters?)</c>), and a
/// client written before them must keep working. SignalR binds exactly as many arguments as the method has; when that
/// fails for such a method, the message is read again with fewer, and the rest are passed as null. A message with every
/// argument is read once, as before.
/// </summary>
public sealed class OptionalArgumentsHubProtocol(IHubProtocol inner, IReadOnlyDictionary<string, OptionalArgumentsHubProtocol.Method> methods) : IHubProtocol
{
    /// <summary>A hub method's parameter types, of which the first <see cref="Required"/> have no default value.</summary>
    public sealed record Method(int Required, IReadOnlyList<Type> Types);

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    /// <summary>The methods of <typeparamref name="THub"/> with trailing optional parameters.</summary>
    public static IReadOnlyDictionary<string, Method> MethodsOf<THub>()
        where THub : Hub =>
        typeof(THub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(method => !method.IsSpecialName && method.GetParameters().Any(parameter => parameter.HasDefaultValue))
            .ToDictionary(
                method => method.Name,
                method => new Method(method.GetParameters().Count(parameter => !parameter.HasDefaultValue), [.. method.GetParameters().Select(parameter => parameter.ParameterType)]),
                StringComparer.OrdinalIgnoreCase);

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var original = input;
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is not InvocationBindingFailureMessage failure || !methods.TryGetValue(failure.Target, out var method))
        {
            return true;
        }

        for (var count = method.Types.Count - 1; count >= method.Required; count--)
        {
            var again = original;
            if (inner.TryParseMessage(ref again, new FewerArguments(binder, method.Types.Take(count).ToList()), out var shorter) && shorter is InvocationMessage invocation)
            {
                var arguments = new object?[method.Types.Count];
                invocation.Arguments.CopyTo(arguments, 0);
                message = new InvocationMessage(invocation.InvocationId, invocation.Target, arguments, invocation.StreamIds) { Headers = invocation.Headers };
                input = again;
                return true;
            }
        }

        return true;
    }

    /// <summary>The server's binder, but for the one method being read again, with only its first parameters.</summary>
    private sealed class FewerArguments(IInvocationBinder binder, IReadOnlyList<Type> types) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => types;

        public Type GetReturnType(string invocationId) => binder.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => binder.GetStreamItemType(streamId);

        public string? GetTarget(ReadOnlySpan<byte> utf8Bytes) => binder.GetTarget(utf8Bytes);
    }
}
