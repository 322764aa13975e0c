using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CallServer.Hubs;

/// <summary>
/// The JSON hub protocol, letting a client leave out a hub method's trailing parameters that have a default value:
/// the contract adds arguments to existing methods (issue 18: <c>EndCall(callId, reason?, customParameters?)</c>), and a
/// client written before them must keep working. SignalR binds exactly as many arguments as the method has; when that
/// would fail for such a method, the message is read with as many parameter types as it has arguments (counted first),
/// and the rest are passed as null. Every message is read once.
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
        // A short invocation of such a method is read once, with as many types as it has arguments: letting SignalR
        // fail to bind it first costs an exception per message (measured: several percent of an ordinary call's CPU).
        if (ShortInvocation(input) is not { } shortened)
        {
            return inner.TryParseMessage(ref input, binder, out message);
        }

        if (!inner.TryParseMessage(ref input, new FewerArguments(binder, [.. shortened.Method.Types.Take(shortened.Count)]), out message))
        {
            return false;
        }

        if (message is InvocationMessage invocation)
        {
            var arguments = new object?[shortened.Method.Types.Count];
            invocation.Arguments.CopyTo(arguments, 0);
            message = new InvocationMessage(invocation.InvocationId, invocation.Target, arguments, invocation.StreamIds) { Headers = invocation.Headers };
        }

        return true;
    }

    /// <summary>
    /// The method and argument count of the next message when it invokes a method of the table with fewer arguments
    /// than it has parameters (but all the required ones); else null, and the message is read as it is.
    /// </summary>
    private (Method Method, int Count)? ShortInvocation(ReadOnlySequence<byte> input)
    {
        if (input.PositionOf(RecordSeparator) is not { } end)
        {
            return null;
        }

        var reader = new Utf8JsonReader(input.Slice(0, end));
        string? target = null;
        int? count = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                var isTarget = name.SequenceEqual("target"u8);
                var isArguments = !isTarget && name.SequenceEqual("arguments"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isTarget && reader.TokenType == JsonTokenType.String)
                {
                    target = reader.GetString();
                }
                else if (isArguments && reader.TokenType == JsonTokenType.StartArray)
                {
                    var elements = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        elements++;
                        reader.Skip();
                    }

                    count = elements;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return null; // the inner protocol reports what is wrong with it
        }

        return target is not null && count is { } n && methods.TryGetValue(target, out var method) && n >= method.Required && n < method.Types.Count
            ? (method, n)
            : null;
    }

    private const byte RecordSeparator = 0x1e;

    private sealed class FewerArguments(IInvocationBinder binder, IReadOnlyList<Type> types) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => types;

        public Type GetReturnType(string invocationId) => binder.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => binder.GetStreamItemType(streamId);

        public string? GetTarget(ReadOnlySpan<byte> utf8Bytes) => binder.GetTarget(utf8Bytes);
    }
}
