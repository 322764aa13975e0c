using System.Text.RegularExpressions;
using CallServer.Application;
using CallServer.Auth;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using CallServer.Ports;
using CallServer.Push;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>The Web Push keys of a browser subscription (<c>PushSubscription.toJSON().keys</c>).</summary>
public sealed record WebPushKeysBody(string? P256dh, string? Auth);

/// <summary>A browser subscription (<c>PushSubscription.toJSON()</c>).</summary>
public sealed record WebPushSubscriptionBody(string? Endpoint, WebPushKeysBody? Keys);

/// <summary>The body of <c>PUT /api/v1/push-registrations/{registrationId}</c>.</summary>
public sealed record PushRegistrationRequest(string? Platform, string? Token, WebPushSubscriptionBody? Subscription, string? AppId)
{
    /// <summary>Added (issue 20), <c>apns</c> only: the app's regular (alert) device token, where missed-call notifications go.</summary>
    public string? AlertToken { get; init; }
}

/// <summary>A stored registration, as its owner sees it.</summary>
public sealed record PushRegistrationResponse(string RegistrationId, string Platform, string? Token, WebPushSubscriptionBody? Subscription, string? AppId, DateTimeOffset UpdatedAt)
{
    public static PushRegistrationResponse Of(PushRegistration registration) => new(
        registration.RegistrationId,
        PushRegistrationRequests.NameOf(registration.Platform),
        registration.Token,
        registration.Subscription is { } s ? new WebPushSubscriptionBody(s.Endpoint, new WebPushKeysBody(s.P256dh, s.Auth)) : null,
        registration.AppId,
        registration.UpdatedAt)
    {
        AlertToken = registration.AlertToken,
    };

    /// <summary>Added (issue 20): the APNs alert token, or null.</summary>
    public string? AlertToken { get; init; }
}

public sealed record WebPushKeyResponse(string PublicKey);

public static class PushRegistrationEndpoints
{
    public static void MapPushRegistrationEndpoints(this RouteGroupBuilder api)
    {
        var registrations = api.MapGroup("/push-registrations")
            .WithTags("Push")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        registrations.MapPut("/{registrationId}", Put)
            .WithName("PutPushRegistration")
            .WithSummary("Adds or replaces this app installation's push registration (APNs or FCM token, or a Web Push subscription); a user's token only.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        registrations.MapGet("/", List)
            .WithName("ListPushRegistrations")
            .WithSummary("The caller's own push registrations.");
        registrations.MapDelete("/{registrationId}", Delete)
            .WithName("DeletePushRegistration")
            .WithSummary("Deletes one of the caller's push registrations.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/push/webpush-key", WebPushKey)
            .WithTags("Push")
            .WithName("GetWebPushKey")
            .WithSummary("The VAPID public key for PushManager.subscribe({ applicationServerKey }).")
            .AllowAnonymous();
    }

    private static async Task<Results<Ok<PushRegistrationResponse>, ProblemHttpResult>> Put(
        string registrationId,
        PushRegistrationRequest? request,
        HttpContext context,
        CallDirectory directory,
        AccountCheck accounts,
        IPushRegistrationStore store,
        IEnumerable<IPushProvider> providers,
        IOptions<PushOptions> options,
        IOptions<PushOptions> pushOptions,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (identity, refusal) = await UserOf(context, directory, accounts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var (registration, error) = PushRegistrationRequests.Validate(registrationId, request, identity!.Account, providers, pushOptions.Value.WebPush, clock.GetUtcNow());
        if (error is not null)
        {
            return Problem(ErrorCode.InvalidArgument, error);
        }

        var max = options.Value.MaxRegistrationsPerUser;
        if (await store.PutAsync(registration!, max, cancellationToken) == PushRegistrationPut.LimitReached)
        {
            return Problem(ErrorCode.RateLimited, $"at most {max} push registrations per user; delete one first");
        }

        return TypedResults.Ok(PushRegistrationResponse.Of(registration!));
    }

    private static async Task<Results<Ok<IReadOnlyList<PushRegistrationResponse>>, ProblemHttpResult>> List(
        HttpContext context, CallDirectory directory, AccountCheck accounts, IPushRegistrationStore store, CancellationToken cancellationToken)
    {
        var (identity, refusal) = await UserOf(context, directory, accounts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var list = await store.ListAsync(identity!.Account, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<PushRegistrationResponse>>([.. list.Select(PushRegistrationResponse.Of)]);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string registrationId, HttpContext context, CallDirectory directory, AccountCheck accounts, IPushRegistrationStore store, CancellationToken cancellationToken)
    {
        var (identity, refusal) = await UserOf(context, directory, accounts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        return await store.DeleteAsync(identity!.Account, registrationId, cancellationToken)
            ? TypedResults.NoContent()
            : Problem(ErrorCode.RegistrationNotFound, "no push registration of that id");
    }

    private static Ok<WebPushKeyResponse> WebPushKey(Push.Providers.WebPushVapidKeys keys) => TypedResults.Ok(new WebPushKeyResponse(keys.PublicKey));

    private static Task<(CallerIdentity? Identity, ProblemHttpResult? Refusal)> UserOf(HttpContext context, CallDirectory directory, AccountCheck accounts, CancellationToken cancellationToken) =>
        BearerUser.OfAsync(context, directory, accounts, "anonymous callers cannot be called, so they have no push registrations", cancellationToken);

    private static ProblemHttpResult Problem(ErrorCode code, string detail) => TypedResults.Problem(ApiProblem.Create(code, detail));
}

/// <summary>Checks a registration request: its id, platform and the fields that platform needs.</summary>
public static partial class PushRegistrationRequests
{
    public const int MaxIdLength = 64;
    public const int MaxTokenLength = 4096;
    public const int MaxEndpointLength = 2048;
    public const int MaxAppIdLength = 256;

    public static string NameOf(PushPlatform platform) => platform switch
    {
        PushPlatform.Apns => "apns",
        PushPlatform.Fcm => "fcm",
        _ => "webpush",
    };

    public static (PushRegistration? Registration, string? Error) Validate(
        string registrationId, PushRegistrationRequest? request, Domain.Addresses.Address account, IEnumerable<IPushProvider> providers, WebPushOptions webPush, DateTimeOffset now)
    {
        if (!IdPattern().IsMatch(registrationId))
        {
            return (null, $"registrationId is 1 to {MaxIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        }

        PushPlatform? platform = request?.Platform switch
        {
            "apns" => PushPlatform.Apns,
            "fcm" => PushPlatform.Fcm,
            "webpush" => PushPlatform.WebPush,
            _ => null,
        };
        if (platform is null)
        {
            return (null, "platform is \"apns\", \"fcm\" or \"webpush\"");
        }

        if (!providers.Any(p => p.Platform == platform && p.IsConfigured))
        {
            return (null, $"this server has no {request!.Platform} credentials (Push:{platform} in its configuration)");
        }

        if (request!.AppId is { Length: > MaxAppIdLength } || (request.AppId is { } appId && !Printable(appId)))
        {
            return (null, $"appId is at most {MaxAppIdLength} printable characters");
        }

        if (request.AlertToken is { } alert && (platform != PushPlatform.Apns || alert.Length is 0 or > MaxTokenLength || !TokenPattern().IsMatch(alert)))
        {
            return (null, $"alertToken is for apns only: the app's regular device token (1 to {MaxTokenLength} characters, no spaces)");
        }

        if (platform == PushPlatform.WebPush)
        {
            var subscription = request.Subscription;
            if (subscription?.Endpoint is not { Length: > 0 and <= MaxEndpointLength } endpoint
                || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
                || !webPush.Accepts(uri))
            {
                return (null, "subscription.endpoint is the https URL of a browser's push service this server allows (Push:WebPush:AllowedHosts)");
            }

            if (Decoded(subscription.Keys?.P256dh) is not { Length: 65 } point || point[0] != 0x04 || Decoded(subscription.Keys?.Auth) is not { Length: 16 })
            {
                return (null, "subscription.keys holds p256dh (a P-256 public key) and auth (16 bytes), base64url");
            }

            return (new PushRegistration(registrationId, account, PushPlatform.WebPush, null, new WebPushSubscription(endpoint, subscription.Keys!.P256dh!, subscription.Keys.Auth!), request.AppId, now), null);
        }

        if (request.Token is not { Length: > 0 and <= MaxTokenLength } token || !TokenPattern().IsMatch(token))
        {
            return (null, $"token is the device token the platform gave the app (1 to {MaxTokenLength} characters, no spaces)");
        }

        return (new PushRegistration(registrationId, account, platform.Value, token, null, request.AppId, now) { AlertToken = request.AlertToken }, null);
    }

    private static bool Printable(string text) => text.All(c => !char.IsControl(c) && !char.IsWhiteSpace(c));

    /// <summary>The bytes of a base64url text (padded or not), or null.</summary>
    private static byte[]? Decoded(string? text)
    {
        if (text is not { Length: > 0 and <= 128 } value || !Base64UrlPattern().IsMatch(value))
        {
            return null;
        }

        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(value.TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\A[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9._:\-]+\z")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_-]+={0,2}\z")]
    private static partial Regex Base64UrlPattern();
}
