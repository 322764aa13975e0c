using System.Buffers;
using System.Text;
using System.Text.Json;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace CallServer.Tests.Hub;

/// <summary>
/// The hub protocol that lets a client leave out trailing optional arguments (issue 18): a short invocation binds
/// with its missing arguments as null, read once; everything else reads exactly as the JSON protocol reads it.
/// </summary>
public sealed class OptionalArgumentsHubProtocolTests
{
    private static readonly OptionalArgumentsHubProtocol Protocol = new(
        new JsonHubProtocol(Options.Create(new JsonHubProtocolOptions())),
        OptionalArgumentsHubProtocol.MethodsOf<CallHub>());

    private static readonly Binder CallHubBinder = new();

    private static HubMessage Parse(string json)
    {
        var input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json + "\u001e"));
        Assert.True(Protocol.TryParseMessage(ref input, CallHubBinder, out var message));
        Assert.True(input.IsEmpty);
        return message;
    }

    [Theory]
    [InlineData("""{"type":1,"invocationId":"1","target":"EndCall","arguments":["c1"]}""", 3)]
    [InlineData("""{"type":1,"invocationId":"1","target":"EndCall","arguments":["c1","bye"]}""", 3)]
    [InlineData("""{"type":1,"invocationId":"1","arguments":["c1","v=0"],"target":"EstablishCall"}""", 3)]
    [InlineData("""{"type":1,"target":"HoldAndAccept","arguments":["n","h","a","o"]}""", 5)]
    public void A_short_invocation_binds_with_the_missing_arguments_as_null(string json, int parameters)
    {
        var invocation = Assert.IsType<InvocationMessage>(Parse(json));

        Assert.Equal(parameters, invocation.Arguments.Length);
        var sent = JsonDocument.Parse(json).RootElement.GetProperty("arguments").GetArrayLength();
        Assert.All(invocation.Arguments.Take(sent), argument => Assert.NotNull(argument));
        Assert.All(invocation.Arguments.Skip(sent), argument => Assert.Null(argument));
    }

    [Fact]
    public void A_whole_invocation_reads_as_it_is_and_its_json_arguments_bind()
    {
        var invocation = Assert.IsType<InvocationMessage>(Parse("""{"type":1,"target":"EndCall","arguments":["c1","bye",{"k":"v"}]}"""));

        Assert.Equal("bye", invocation.Arguments[1]);
        Assert.Equal("v", ((JsonElement)invocation.Arguments[2]!).GetProperty("k").GetString());
    }

    [Theory]
    [InlineData("""{"type":1,"invocationId":"1","target":"EndCall","arguments":[]}""")]
    [InlineData("""{"type":1,"invocationId":"1","target":"EndCall","arguments":["c1",null,null,"extra"]}""")]
    [InlineData("""{"type":1,"invocationId":"1","target":"GetCall","arguments":[]}""")]
    public void Too_few_required_or_too_many_arguments_still_fail_to_bind(string json)
    {
        Assert.IsType<InvocationBindingFailureMessage>(Parse(json));
    }

    [Fact]
    public void Two_messages_in_one_buffer_are_read_one_after_the_other()
    {
        var input = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(
            """{"type":1,"target":"EndCall","arguments":["a"]}""" + "\u001e" + """{"type":1,"target":"RejectCall","arguments":["b"]}""" + "\u001e"));

        Assert.True(Protocol.TryParseMessage(ref input, CallHubBinder, out var first));
        Assert.True(Protocol.TryParseMessage(ref input, CallHubBinder, out var second));

        Assert.Equal(("EndCall", "a", 3), (((InvocationMessage)first).Target, ((InvocationMessage)first).Arguments[0], ((InvocationMessage)first).Arguments.Length));
        Assert.Equal(("RejectCall", "b", 2), (((InvocationMessage)second).Target, ((InvocationMessage)second).Arguments[0], ((InvocationMessage)second).Arguments.Length));
        Assert.False(Protocol.TryParseMessage(ref input, CallHubBinder, out _));
    }

    [Fact]
    public void An_incomplete_message_waits_and_a_malformed_one_is_the_json_protocols_error()
    {
        var partial = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("""{"type":1,"target":"EndCall","argu"""));
        Assert.False(Protocol.TryParseMessage(ref partial, CallHubBinder, out _));

        var broken = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("""{"type":1,"target":"EndCall","arguments":["a",}""" + "\u001e"));
        Assert.ThrowsAny<Exception>(() => Protocol.TryParseMessage(ref broken, CallHubBinder, out _));
    }

    /// <summary>The parameter types of <see cref="CallHub"/>'s methods, as SignalR's binder gives them.</summary>
    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            [.. typeof(CallHub).GetMethods().First(m => string.Equals(m.Name, methodName, StringComparison.OrdinalIgnoreCase)).GetParameters().Select(p => p.ParameterType)];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
