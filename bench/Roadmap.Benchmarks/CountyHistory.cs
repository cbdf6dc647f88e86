using Roadmap.Domain.Catalogue;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Procedures;
using Roadmap.Domain.Procurement;
using Roadmap.Domain.Procurements;
using Roadmap.Domain.Shared;
// The rebuild benchmark has synthetic records of the same names in this namespace.
using DomainProcedureIntroduced = Roadmap.Domain.Procedures.ProcedureIntroduced;
using DomainVendorDeprecationAnnounced = Roadmap.Domain.Catalogue.VendorDeprecationAnnounced;

namespace Roadmap.Benchmarks;

/// <summary>One domain event of the generated history, in log order, with its stream.</summary>
internal sealed record HistoryEvent(string StreamId, object Data, DateTimeOffset At, Guid EventId);

/// <summary>
/// A deterministic (seeded) history of real domain events for <c>read</c>: M municipalities in Bavarian counties
/// (valid AGS 09kkkggg, 29 municipalities per Landkreis, the 71 Landkreise in order), a catalogue (10 vendors,
/// 25 products, 100 releases with lifecycle dates, successors, some deprecation notices, end-of-support changes and
/// "to be announced" ends), and P procedure instances per municipality with histories: introduced on a release of a
/// product of their category; some with extended support bought, risk accepted, a replacement planned (upgrade to the
/// successor, replacement by another product, consolidation), joint procurement cases per county and category
/// (opened, value estimated, procedure determined with the real rules, started, deadlines, award intention, awarded or
/// cancelled), assignments to those cases, replacements scheduled, cut-overs and retirements.
/// <para>The log: the catalogue first, then one block per county (its municipalities registered, their procedures
/// introduced, then four rounds of decisions across the county's procedures, so a procedure's events are spread over
/// its county's block), deprecation notices between county blocks. Ids are UUIDv7 built from the event's time and
/// the seeded random, as the API makes them with Guid.CreateVersion7.</para>
/// </summary>
internal sealed class CountyHistory
{
    public const int Seed = 20261125;
    public const int MunicipalitiesPerCounty = 29;
    public const string Actor = "bench-read";

    /// <summary>The 71 Landkreise of Bavaria (Kreis part of the AGS), by Regierungsbezirk.</summary>
    public static readonly string[] Kreise =
    [
        .. Range(9171, 20), .. Range(9271, 9), .. Range(9371, 7), .. Range(9471, 9), .. Range(9571, 7), .. Range(9671, 9), .. Range(9771, 10),
    ];

    private static readonly DateTimeOffset LogStart = new(2021, 1, 4, 7, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LogEnd = new(2026, 11, 20, 17, 0, 0, TimeSpan.Zero);

    private static readonly string[] VendorNames =
        ["AKDB", "Komm.ONE", "Dataport", "ITEOS", "ekom21", "regio iT", "KDO", "Fabasoft", "H&H Datenverarbeitung", "PROSOZ Herten"];

    private static readonly string[] Mayors = ["Erster Bürgermeister", "Erste Bürgermeisterin", "Geschäftsleiter", "Kämmerin"];
    private static readonly string[] Chambers = ["Vergabekammer Südbayern", "Vergabekammer Nordbayern"];

    private readonly int _municipalities;
    private readonly int _procedures;
    private readonly ProcurementRuleSet _rules;
    private readonly CatalogueModel _catalogue;

    public CountyHistory(int municipalities, int procedures, ProcurementRuleSet rules)
    {
        if (municipalities > Kreise.Length * MunicipalitiesPerCounty)
        {
            throw new ArgumentOutOfRangeException(nameof(municipalities), $"at most {Kreise.Length * MunicipalitiesPerCounty} municipalities");
        }

        _municipalities = municipalities;
        _procedures = procedures;
        _rules = rules;
        _catalogue = CatalogueModel.Create(new Random(Seed));
    }

    public int Counties => (_municipalities + MunicipalitiesPerCounty - 1) / MunicipalitiesPerCounty;

    public int Releases => _catalogue.Releases.Count;

    public static Ags AgsOf(int municipality) =>
        Ags.Parse($"{Kreise[municipality / MunicipalitiesPerCounty]}{municipality % MunicipalitiesPerCounty + 1:D3}");

    /// <summary>The whole log, in order; the same every time.</summary>
    public IEnumerable<HistoryEvent> Events()
    {
        var random = new Random(Seed + 1);
        var clock = new Clock(LogStart, TimeSpan.FromMinutes(7));
        foreach (var e in _catalogue.Registrations(random, clock))
        {
            yield return e;
        }

        var counties = Counties;
        var window = (LogEnd - LogStart - TimeSpan.FromDays(30)) / counties;
        var deprecations = _catalogue.Deprecations(random).ToList();
        for (var county = 0; county < counties; county++)
        {
            var start = LogStart + TimeSpan.FromDays(30) + window * county;
            foreach (var e in County(county, new Random(Seed + 100 + county), start, window))
            {
                yield return e;
            }

            // The vendors' notices arrive over time, between the counties' blocks.
            var noticeClock = new Clock(start + window * 0.99, TimeSpan.FromMinutes(3));
            for (var d = county; d < deprecations.Count; d += counties)
            {
                var (release, notice) = deprecations[d];
                var at = noticeClock.Next();
                yield return Event(Release.StreamId(release.Id), notice(at), at, random);
            }
        }
    }

    private IEnumerable<HistoryEvent> County(int county, Random random, DateTimeOffset start, TimeSpan window)
    {
        var first = county * MunicipalitiesPerCounty;
        var last = Math.Min(_municipalities, first + MunicipalitiesPerCounty);
        var countyAgs = Ags.Parse($"{Kreise[county]}000");
        // Six phases, each with a sixth of the county's window: registrations, introductions, four rounds of decisions.
        var rounds = Enumerable.Range(0, 6).Select(r => new Clock(start + window * (r / 6.0), window / 6 / Math.Max(1, (last - first) * _procedures * 3))).ToArray();
        var introduced = new List<Plan>((last - first) * _procedures);

        for (var m = first; m < last; m++)
        {
            var ags = AgsOf(m);
            var at = rounds[0].Next();
            yield return Event(Municipality.StreamId(ags),
                new MunicipalityRegistered(ags, $"{MunicipalityName(m)}", LandCode.Bayern, countyAgs, Actor, at), at, random);
        }

        // Round 1: introductions, municipality by municipality.
        for (var m = first; m < last; m++)
        {
            var ags = AgsOf(m);
            for (var k = 0; k < _procedures; k++)
            {
                var category = (ProcedureCategory)(k % 12);
                var product = _catalogue.ProductFor(category, random);
                var release = product.Releases[PickRelease(random)];
                var at = rounds[1].Next();
                var plan = new Plan(V7(at, random), ags, category, product, release);
                introduced.Add(plan);
                var introducedOn = Min(release.GeneralAvailability.AddDays(random.Next(30, 700)), new DateOnly(2026, 6, 30));
                yield return Event(ProcedureInstance.StreamId(plan.Id),
                    new DomainProcedureIntroduced(plan.Id, ags, category, release.Id, $"{category.GermanName()} {k / 12 + 1:D2}", introducedOn, Actor, at), at, random);
            }
        }

        // Round 2: extended support, accepted risks, retirements, replacement plans.
        foreach (var p in introduced)
        {
            var end = p.Release.Lifecycle.EffectiveEndOfSupport;
            var roll = random.Next(100);
            if (roll < 2)
            {
                var at = rounds[2].Next();
                p.Retired = true;
                yield return Event(ProcedureInstance.StreamId(p.Id),
                    new ProcedureRetired(p.Id, Min(new DateOnly(2026, 10, 31), DateOnly.FromDateTime(at.UtcDateTime).AddDays(30)),
                        "Leistung wird künftig vom Landratsamt erbracht.", Actor, at), at, random);
                continue;
            }

            if (end is { } eos && random.Next(100) < 25)
            {
                var at = rounds[2].Next();
                yield return Event(ProcedureInstance.StreamId(p.Id),
                    new ExtendedSupportPurchased(p.Id, p.Release.Id, eos.AddMonths(random.Next(6, 25)), Money.Euro(random.Next(20, 500) * 50m),
                        $"EVB-IT Pflege {p.Ags.Value}-{random.Next(1000, 9999)}", Actor, at), at, random);
            }

            if (random.Next(100) < 12)
            {
                var at = rounds[2].Next();
                yield return Event(ProcedureInstance.StreamId(p.Id),
                    new RiskAccepted(p.Id, p.Release.Id, Mayors[random.Next(Mayors.Length)], new DateOnly(2027, 1, 1).AddDays(random.Next(0, 540)),
                        "Das Verfahren läuft abgeschottet im kommunalen Rechenzentrum; die Ablösung ist beauftragt.", Actor, at), at, random);
            }

            if (p.Release.Successor is { } successor && random.Next(100) < 45)
            {
                var strategyRoll = random.Next(100);
                var (strategy, target) = strategyRoll switch
                {
                    < 70 => (ReplacementStrategy.Upgrade, successor),
                    < 95 => (ReplacementStrategy.Replace, _catalogue.OtherProduct(p.Product, random).Releases[^1]),
                    _ => (ReplacementStrategy.Consolidate, (CatalogueRelease?)null),
                };
                var goLive = (end ?? new DateOnly(2028, 6, 30)).AddMonths(-random.Next(2, 7));
                if (goLive < new DateOnly(2027, 1, 15))
                {
                    goLive = new DateOnly(2027, 1, 15).AddDays(random.Next(0, 500));
                }

                var at = rounds[2].Next();
                p.Strategy = strategy;
                p.Target = target;
                p.GoLive = goLive;
                yield return Event(ProcedureInstance.StreamId(p.Id),
                    new ReplacementPlanned(p.Id, strategy, goLive, target?.Id, Actor, at), at, random);
            }
        }

        // Round 3: joint procurement cases per category in the county (4 to 10 participating procedures each, mostly from
        // several municipalities), opened, estimated and mostly determined; their procedures are assigned to them.
        var cases = new List<Case>();
        foreach (var group in introduced.Where(p => p.GoLive is not null && random.Next(100) < 50).GroupBy(p => p.Category))
        {
            var members = group.OrderBy(_ => random.Next()).ToList();
            for (var i = 0; i < members.Count;)
            {
                var size = Math.Min(members.Count - i, random.Next(4, 11));
                var participants = members.GetRange(i, size);
                i += size;
                var at = rounds[3].Next();
                var c = new Case(V7(at, random), group.Key, participants);
                cases.Add(c);
                var lead = participants[0].Ags;
                yield return Event(ProcurementCase.StreamId(c.Id),
                    new ProcurementCaseOpened(c.Id, $"Gemeinsame Ablösung {group.Key.GermanName()} {countyAgs.Kreis}-{cases.Count}", group.Key, lead,
                        [.. participants.Select(p => new ProcurementParticipant(p.Ags, p.Id))], Actor, at), at, random);
                foreach (var p in participants)
                {
                    p.Case = c;
                    var assignedAt = rounds[3].Next();
                    yield return Event(ProcedureInstance.StreamId(p.Id),
                        new ProcedureAssignedToProcurement(p.Id, c.Id, Actor, assignedAt), assignedAt, random);
                }

                var shares = participants.GroupBy(p => p.Ags)
                    .Select(g => new ValueShare(g.Key, Money.Euro(g.Count() * random.Next(8, 120) * 1000m)))
                    .ToList();
                var total = Money.Sum(shares.Select(s => s.NetValue));
                at = rounds[3].Next();
                yield return Event(ProcurementCase.StreamId(c.Id),
                    new ProcurementValueEstimated(c.Id, shares, total, IncludesOptions: true, "Schätzung auf Basis der Vorjahresangebote", Actor, at),
                    at, random);
                if (random.Next(100) < 70)
                {
                    var publication = DateOnly.FromDateTime(at.UtcDateTime).AddDays(random.Next(30, 180));
                    var s = _rules.Suggest(total, LandCode.Bayern, publication);
                    at = rounds[3].Next();
                    c.Type = s.Type;
                    c.Publication = publication;
                    yield return Event(ProcurementCase.StreamId(c.Id),
                        new ProcurementProcedureDetermined(c.Id, total, LandCode.Bayern, ContractingAuthorityKind.SubCentral, publication, s.Type, s.Reason,
                            s.Type, s.Threshold.Amount, s.Threshold.ValidFrom, s.Threshold.ValidTo, s.Threshold.Provisional, s.LandLimits.Name,
                            s.AppliedLimitName, s.AppliedLimitAmount, s.ExPostPublicationRequired, null, Actor, at), at, random);
                }
            }
        }

        // Round 4: the determined cases go on: started, deadlines, award intention, review, award; a few are cancelled.
        foreach (var c in cases)
        {
            var id = c.Id;
            var stream = ProcurementCase.StreamId(id);
            if (random.Next(100) < 4)
            {
                var at = rounds[4].Next();
                c.Cancelled = true;
                yield return Event(stream,
                    new ProcurementCancelled(id, DateOnly.FromDateTime(at.UtcDateTime), "Kein wirtschaftliches Angebot eingegangen.", Actor, at), at, random);
                continue;
            }

            if (c.Type is not { } type || c.Publication is not { } published || random.Next(100) >= 55)
            {
                continue;
            }

            var startedAt = rounds[4].Next();
            yield return Event(stream, new ProcurementStarted(id, type, published, published, Actor, startedAt), startedAt, random);
            var offers = published.AddDays(type.IsEu() ? 35 : 21);
            var deadlinesAt = rounds[4].Next();
            yield return Event(stream,
                new ProcurementDeadlinesSet(id, published, null, offers, true, false, null, null, type.IsEu() ? 30 : null, Actor, deadlinesAt), deadlinesAt, random);
            if (random.Next(100) >= 50)
            {
                continue;
            }

            var notified = offers.AddDays(random.Next(20, 60));
            var intentionAt = rounds[4].Next();
            yield return Event(stream,
                new AwardIntentionNotified(id, notified, true, VendorNames[random.Next(VendorNames.Length)], 10, notified.AddDays(10), Actor, intentionAt),
                intentionAt, random);
            if (random.Next(100) < 5)
            {
                var filedAt = rounds[4].Next();
                yield return Event(stream,
                    new ReviewFiled(id, notified.AddDays(8), Chambers[random.Next(Chambers.Length)], notified.AddDays(8 + 35), Actor, filedAt), filedAt, random);
                var concludedAt = rounds[4].Next();
                yield return Event(stream,
                    new ReviewConcluded(id, notified.AddDays(30), ReviewOutcome.Dismissed, Actor, concludedAt), concludedAt, random);
            }

            if (random.Next(100) < 75)
            {
                var awardedOn = notified.AddDays(random.Next(11, 45));
                var awardedAt = rounds[4].Next();
                c.AwardedOn = awardedOn;
                var target = c.Participants[0].Target;
                yield return Event(stream,
                    new ProcurementAwarded(id, awardedOn, target is null ? VendorNames[random.Next(VendorNames.Length)] : _catalogue.VendorOf(target).Name,
                        target?.Id, Money.Euro(random.Next(50, 900) * 1000m), type, Actor, awardedAt), awardedAt, random);
            }
        }

        // Round 5: replacements scheduled (unassigned, or their case awarded) and some completed cut-overs.
        foreach (var p in introduced)
        {
            if (p.GoLive is not { } goLive || (p.Case is { } c && (c.Cancelled || c.AwardedOn is null)) || random.Next(100) >= 40)
            {
                continue;
            }

            var at = rounds[5].Next();
            yield return Event(ProcedureInstance.StreamId(p.Id),
                new ReplacementScheduled(p.Id, goLive, goLive.AddDays(-30), goLive.AddDays(14), p.Case?.Id, p.Case?.AwardedOn, Actor, at), at, random);
            if (p.Target is { } target && random.Next(100) < 12)
            {
                var doneAt = rounds[5].Next();
                yield return Event(ProcedureInstance.StreamId(p.Id),
                    new CutOverCompleted(p.Id, Min(goLive, new DateOnly(2026, 11, 2)), p.Release.Id, target.Id, Actor, doneAt), doneAt, random);
            }
        }
    }

    private static int PickRelease(Random random) => random.Next(100) switch
    {
        < 15 => 0,
        < 50 => 1,
        < 85 => 2,
        _ => 3,
    };

    private static string MunicipalityName(int m)
    {
        string[] stems = ["Ober", "Unter", "Nieder", "Hoh", "Kirch", "Bad ", "Markt ", "Alt", "Neu", "Wald"];
        string[] ends = ["ach", "ing", "hausen", "hofen", "kirchen", "feld", "dorf", "stetten", "berg", "brunn"];
        return $"{stems[m % 10]}{ends[m / 10 % 10]}{(m >= 100 ? $" {m / 100}" : "")}";
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static HistoryEvent Event(string streamId, object data, DateTimeOffset at, Random random) =>
        new(streamId, data, at, V7(at, random));

    /// <summary>A UUIDv7 for <paramref name="at"/> with its random bits from the seeded <paramref name="random"/>.</summary>
    public static Guid V7(DateTimeOffset at, Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var ms = at.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(ms >> (8 * (5 - i)));
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }

    private static IEnumerable<string> Range(int first, int count) => Enumerable.Range(first, count).Select(k => k.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A monotonic clock handing out event times at a fixed step.</summary>
    private sealed class Clock(DateTimeOffset start, TimeSpan step)
    {
        public DateTimeOffset Now { get; private set; } = start;

        public DateTimeOffset Next()
        {
            var now = Now;
            Now += step > TimeSpan.Zero ? step : TimeSpan.FromMilliseconds(1);
            return now;
        }
    }

    /// <summary>What the generator remembers of a procedure while it writes its county's block.</summary>
    private sealed class Plan(Guid id, Ags ags, ProcedureCategory category, CatalogueProduct product, CatalogueRelease release)
    {
        public Guid Id { get; } = id;

        public Ags Ags { get; } = ags;

        public ProcedureCategory Category { get; } = category;

        public CatalogueProduct Product { get; } = product;

        public CatalogueRelease Release { get; } = release;

        public bool Retired { get; set; }

        public ReplacementStrategy? Strategy { get; set; }

        public CatalogueRelease? Target { get; set; }

        public DateOnly? GoLive { get; set; }

        public Case? Case { get; set; }
    }

    private sealed class Case(Guid id, ProcedureCategory category, List<Plan> participants)
    {
        public Guid Id { get; } = id;

        public ProcedureCategory Category { get; } = category;

        public List<Plan> Participants { get; } = participants;

        public ProcurementProcedureType? Type { get; set; }

        public DateOnly? Publication { get; set; }

        public DateOnly? AwardedOn { get; set; }

        public bool Cancelled { get; set; }
    }

    internal sealed record CatalogueVendor(Guid Id, string Name);

    internal sealed record CatalogueRelease(Guid Id, Guid ProductId, string Version, ReleaseLifecycle Lifecycle, DateOnly GeneralAvailability)
    {
        public CatalogueRelease? Successor { get; set; }
    }

    internal sealed record CatalogueProduct(Guid Id, CatalogueVendor Vendor, string Name, ProcedureCategory Category, List<CatalogueRelease> Releases);

    /// <summary>10 vendors, 25 products (two per category, three for Sonstiges), four releases each.</summary>
    private sealed class CatalogueModel
    {
        private readonly Dictionary<ProcedureCategory, List<CatalogueProduct>> _byCategory = [];
        private readonly Dictionary<Guid, CatalogueProduct> _byId = [];

        public List<CatalogueVendor> Vendors { get; } = [];

        public List<CatalogueProduct> Products { get; } = [];

        public List<CatalogueRelease> Releases { get; } = [];

        public static CatalogueModel Create(Random random)
        {
            var catalogue = new CatalogueModel();
            var at = LogStart - TimeSpan.FromDays(3);
            foreach (var name in VendorNames)
            {
                catalogue.Vendors.Add(new CatalogueVendor(V7(at, random), name));
            }

            for (var j = 0; j < 25; j++)
            {
                var category = (ProcedureCategory)(j < 24 ? j % 12 : (int)ProcedureCategory.Sonstiges);
                var vendor = catalogue.Vendors[(j * 3 + j / 12) % catalogue.Vendors.Count];
                var product = new CatalogueProduct(V7(at, random), vendor, $"{vendor.Name.Split(' ')[0]}.{category}{(j >= 12 ? " neo" : "")}", category, []);
                for (var r = 0; r < 4; r++)
                {
                    var ga = new DateOnly(2017 + 2 * r, 1, 1).AddMonths((j * 5 + r) % 18);
                    var tba = r == 3 && j % 4 == 0;
                    var eoss = tba ? (DateOnly?)null : ga.AddYears(5).AddMonths(random.Next(-4, 9));
                    var eol = eoss?.AddMonths(random.Next(6, 13));
                    var lifecycle = new ReleaseLifecycle(ga, ga.AddYears(3), eoss, eol, EndOfSecuritySupportTba: tba, EndOfLifeTba: tba);
                    var release = new CatalogueRelease(V7(at, random), product.Id, $"{ga.Year}.{r + 1}", lifecycle, ga);
                    if (r > 0)
                    {
                        product.Releases[^1].Successor = release;
                    }

                    product.Releases.Add(release);
                    catalogue.Releases.Add(release);
                }

                catalogue.Products.Add(product);
                catalogue._byId[product.Id] = product;
                if (!catalogue._byCategory.TryGetValue(category, out var list))
                {
                    catalogue._byCategory[category] = list = [];
                }

                list.Add(product);
            }

            return catalogue;
        }

        public CatalogueProduct ProductFor(ProcedureCategory category, Random random)
        {
            var products = _byCategory[category];
            return products[random.Next(100) < 65 ? 0 : random.Next(products.Count)];
        }

        public CatalogueProduct OtherProduct(CatalogueProduct product, Random random)
        {
            var others = _byCategory[product.Category].Where(p => p != product).ToList();
            return others.Count == 0 ? product : others[random.Next(others.Count)];
        }

        public CatalogueVendor VendorOf(CatalogueRelease release) => _byId[release.ProductId].Vendor;

        public IEnumerable<HistoryEvent> Registrations(Random random, Clock clock)
        {
            foreach (var v in Vendors)
            {
                var at = clock.Next();
                yield return Event(Vendor.StreamId(v.Id), new VendorRegistered(v.Id, v.Name, new Uri($"https://www.{new string([.. v.Name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)])}.de"), Actor, at), at, random);
            }

            foreach (var p in Products)
            {
                var at = clock.Next();
                yield return Event(Product.StreamId(p.Id), new ProductRegistered(p.Id, p.Vendor.Id, p.Name, p.Category, Actor, at), at, random);
                foreach (var r in p.Releases)
                {
                    at = clock.Next();
                    yield return Event(Release.StreamId(r.Id), new ReleaseRegistered(r.Id, p.Id, r.Version, r.Lifecycle, Actor, at), at, random);
                }
            }

            foreach (var r in Releases.Where(r => r.Successor is not null))
            {
                var at = clock.Next();
                yield return Event(Release.StreamId(r.Id), new SuccessorDesignated(r.Id, r.ProductId, r.Successor!.Id, Actor, at), at, random);
            }
        }

        /// <summary>
        /// Vendor notices for about a quarter of the middle releases (end of security support moved earlier by 3 to 9
        /// months) and end-of-support changes (moved later by 6 to 12 months) for a tenth; they are applied to the
        /// generator's view of the lifecycle at once, which the procedures' plans do not need to follow exactly.
        /// </summary>
        public IEnumerable<(CatalogueRelease Release, Func<DateTimeOffset, object> Event)> Deprecations(Random random)
        {
            foreach (var r in Releases)
            {
                if (r.Lifecycle.EndOfSecuritySupport is not { } eoss)
                {
                    continue;
                }

                var roll = random.Next(100);
                if (roll < 25 && r.Successor is not null)
                {
                    var earlier = eoss.AddMonths(-random.Next(3, 10));
                    var eol = r.Lifecycle.EndOfLife is { } life && life > earlier ? life : earlier.AddMonths(6);
                    var noticeId = $"EOX-{r.Version}-{random.Next(100, 999)}";
                    yield return (r, at => new DomainVendorDeprecationAnnounced(
                        r.Id, r.ProductId, noticeId, DateOnly.FromDateTime(at.UtcDateTime), earlier, eol, false, false,
                        "https://support.example.org/abkuendigungen", Actor, at));
                }
                else if (roll < 35)
                {
                    var later = eoss.AddMonths(random.Next(6, 13));
                    var eol = later.AddMonths(6);
                    yield return (r, at => new EndOfSupportChanged(
                        r.Id, r.ProductId, later, eol, false, false, eoss, r.Lifecycle.EndOfLife, "Hersteller verlängert die Wartung.", Actor, at));
                }
            }
        }
    }
}
