using System.Collections.Immutable;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Shared;

namespace Roadmap.Domain.Catalogue;

// Events ------------------------------------------------------------------------------------------------------

public interface IReleaseEvent : IDomainEvent
{
    Guid ReleaseId { get; }
}

public sealed record ReleaseRegistered(
    Guid ReleaseId, Guid ProductId, string Version, ReleaseLifecycle Lifecycle, string By, DateTimeOffset RecordedAt) : IReleaseEvent;

/// <summary>
/// A vendor's deprecation notice (Abkündigung) for a release. It affects every procedure instance that runs the
/// release; projections fan it out. Null end dates with the Tba flag are "to be announced".
/// </summary>
public sealed record VendorDeprecationAnnounced(
    Guid ReleaseId,
    Guid ProductId,
    string NoticeId,
    DateOnly AnnouncedOn,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSecuritySupportTba,
    bool EndOfLifeTba,
    string Source,
    string By,
    DateTimeOffset RecordedAt) : IReleaseEvent;

public sealed record EndOfSupportChanged(
    Guid ReleaseId,
    Guid ProductId,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSecuritySupportTba,
    bool EndOfLifeTba,
    DateOnly? PreviousEndOfSecuritySupport,
    DateOnly? PreviousEndOfLife,
    string Reason,
    string By,
    DateTimeOffset RecordedAt) : IReleaseEvent;

public sealed record SuccessorDesignated(
    Guid ReleaseId, Guid ProductId, Guid SuccessorReleaseId, string By, DateTimeOffset RecordedAt) : IReleaseEvent;

// Commands ----------------------------------------------------------------------------------------------------

public interface IReleaseCommand : IDomainCommand
{
    Guid ReleaseId { get; }
}

/// <summary>Registers a release of a product. That the product exists is checked by the caller.</summary>
public sealed record RegisterRelease(
    Guid ReleaseId, Guid ProductId, string Version, ReleaseLifecycle Lifecycle, DateTimeOffset Now, string By) : IReleaseCommand;

/// <summary>
/// Records a vendor's deprecation notice. An announcement may come late: its end of support may lie before
/// <paramref name="AnnouncedOn"/>. <paramref name="Source"/> is the notice's URL or text; <paramref name="NoticeId"/>
/// the vendor's identifier for it.
/// </summary>
public sealed record AnnounceDeprecation(
    Guid ReleaseId,
    string NoticeId,
    DateOnly AnnouncedOn,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSecuritySupportTba,
    bool EndOfLifeTba,
    string Source,
    DateTimeOffset Now,
    string By) : IReleaseCommand;

/// <summary>Corrects the end dates outside a notice (e.g. the vendor extended support); the reason is required.</summary>
public sealed record ChangeEndOfSupport(
    Guid ReleaseId,
    DateOnly? EndOfSecuritySupport,
    DateOnly? EndOfLife,
    bool EndOfSecuritySupportTba,
    bool EndOfLifeTba,
    string Reason,
    DateTimeOffset Now,
    string By) : IReleaseCommand;

public sealed record DesignateSuccessor(Guid ReleaseId, Guid SuccessorReleaseId, DateTimeOffset Now, string By) : IReleaseCommand;

// State -------------------------------------------------------------------------------------------------------

public abstract record ReleaseState;

public sealed record UnregisteredRelease : ReleaseState
{
    public static UnregisteredRelease Instance { get; } = new();
}

public sealed record RegisteredRelease(
    Guid ReleaseId, Guid ProductId, string Version, ReleaseLifecycle Lifecycle, Guid? SuccessorReleaseId, ImmutableHashSet<string> NoticeIds)
    : ReleaseState;

// Decider -----------------------------------------------------------------------------------------------------

/// <summary>One stream per release of a product: its lifecycle dates, deprecation notices and successor.</summary>
public static class Release
{
    /// <summary>How every stream id of this kind begins (prefix queries over ids use it).</summary>
    public const string StreamIdPrefix = "release-";

    public static Decider<IReleaseCommand, IReleaseEvent, ReleaseState> Decider { get; } = new(UnregisteredRelease.Instance, Evolve, Decide);

    public static string StreamId(Guid releaseId) => $"{StreamIdPrefix}{releaseId}";

    public static ReleaseState Evolve(ReleaseState state, IReleaseEvent @event) => (state, @event) switch
    {
        (_, ReleaseRegistered e) => new RegisteredRelease(e.ReleaseId, e.ProductId, e.Version, e.Lifecycle, null, []),
        (RegisteredRelease s, VendorDeprecationAnnounced e) => s with
        {
            Lifecycle = s.Lifecycle.WithEnds(e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba),
            NoticeIds = s.NoticeIds.Add(e.NoticeId),
        },
        (RegisteredRelease s, EndOfSupportChanged e) => s with
        {
            Lifecycle = s.Lifecycle.WithEnds(e.EndOfSecuritySupport, e.EndOfLife, e.EndOfSecuritySupportTba, e.EndOfLifeTba),
        },
        (RegisteredRelease s, SuccessorDesignated e) => s with { SuccessorReleaseId = e.SuccessorReleaseId },
        _ => state,
    };

    public static IReadOnlyList<IReleaseEvent> Decide(IReleaseCommand command, ReleaseState state)
    {
        Guard.RequireActor(command);
        return (command, state) switch
        {
            (RegisterRelease c, UnregisteredRelease) => Register(c),
            (RegisterRelease, RegisteredRelease s) => throw new DomainRuleViolation(
                ViolationCodes.ReleaseAlreadyRegistered, $"Release {s.Version} is already registered.", "releaseId"),
            (_, UnregisteredRelease) => throw DomainRuleViolation.NotFound(
                ViolationCodes.ReleaseUnknown, $"No release with id {command.ReleaseId} is registered."),
            (AnnounceDeprecation c, RegisteredRelease s) => Announce(c, s),
            (ChangeEndOfSupport c, RegisteredRelease s) => Change(c, s),
            (DesignateSuccessor c, RegisteredRelease s) => Designate(c, s),
            _ => throw new InvalidOperationException($"{command.GetType().Name} is not handled in {state.GetType().Name}."),
        };
    }

    private static IReleaseEvent[] Register(RegisterRelease c)
    {
        Guard.RequireId(c.ProductId, ViolationCodes.ProductRequired, "productId", "A release belongs to a product.");
        var version = Guard.RequireText(c.Version, ViolationCodes.VersionRequired, "version", "A release needs a version.");
        c.Lifecycle.EnsurePlausible();
        return [new ReleaseRegistered(c.ReleaseId, c.ProductId, version, c.Lifecycle, c.By, c.Now)];
    }

    private static IReleaseEvent[] Announce(AnnounceDeprecation c, RegisteredRelease s)
    {
        var noticeId = Guard.RequireText(c.NoticeId, ViolationCodes.NoticeIdRequired, "noticeId", "A deprecation notice needs the vendor's notice id.");
        Guard.Require(!s.NoticeIds.Contains(noticeId), ViolationCodes.NoticeAlreadyRecorded,
            $"The deprecation notice {noticeId} is already recorded for release {s.Version}.", "noticeId");
        var source = Guard.RequireText(c.Source, ViolationCodes.SourceRequired, "source", "A deprecation notice needs its source: a link or the notice text.");
        Guard.Require(c.EndOfSecuritySupport is not null || c.EndOfLife is not null || c.EndOfSecuritySupportTba || c.EndOfLifeTba,
            ViolationCodes.EndOfSupportRequired,
            "A deprecation notice states an end of security support or an end of life, as a date or as to be announced.", "endOfSecuritySupport");
        s.Lifecycle.WithEnds(c.EndOfSecuritySupport, c.EndOfLife, c.EndOfSecuritySupportTba, c.EndOfLifeTba).EnsurePlausible();
        return
        [
            new VendorDeprecationAnnounced(c.ReleaseId, s.ProductId, noticeId, c.AnnouncedOn, c.EndOfSecuritySupport, c.EndOfLife,
                c.EndOfSecuritySupportTba, c.EndOfLifeTba, source, c.By, c.Now),
        ];
    }

    private static IReleaseEvent[] Change(ChangeEndOfSupport c, RegisteredRelease s)
    {
        var reason = Guard.RequireText(c.Reason, ViolationCodes.ReasonRequired, "reason", "Changing the end of support needs a reason.");
        var changed = s.Lifecycle.WithEnds(c.EndOfSecuritySupport, c.EndOfLife, c.EndOfSecuritySupportTba, c.EndOfLifeTba);
        changed.EnsurePlausible();
        Guard.Require(!changed.HasSameEnds(s.Lifecycle), ViolationCodes.EndOfSupportUnchanged,
            $"Release {s.Version} already has these end-of-support dates.", "endOfSecuritySupport");
        return
        [
            new EndOfSupportChanged(c.ReleaseId, s.ProductId, c.EndOfSecuritySupport, c.EndOfLife, c.EndOfSecuritySupportTba, c.EndOfLifeTba,
                s.Lifecycle.EndOfSecuritySupport, s.Lifecycle.EndOfLife, reason, c.By, c.Now),
        ];
    }

    private static IReleaseEvent[] Designate(DesignateSuccessor c, RegisteredRelease s)
    {
        Guard.RequireId(c.SuccessorReleaseId, ViolationCodes.ReleaseRequired, "successorReleaseId", "Name the release that succeeds this one.");
        Guard.Require(c.SuccessorReleaseId != c.ReleaseId, ViolationCodes.SuccessorIsSameRelease,
            "A release cannot be its own successor.", "successorReleaseId");
        Guard.Require(c.SuccessorReleaseId != s.SuccessorReleaseId, ViolationCodes.SuccessorUnchanged,
            $"That release is already the designated successor of {s.Version}.", "successorReleaseId");
        return [new SuccessorDesignated(c.ReleaseId, s.ProductId, c.SuccessorReleaseId, c.By, c.Now)];
    }
}
