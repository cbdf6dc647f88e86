using Roadmap.EventStore.Serialization;

namespace Roadmap.Benchmarks;

// The event mix of the rebuild benchmark: six registered records of different sizes with strings, dates and
// decimals, shaped like the product's procedure and procurement events (about 200 bytes to 2 KB of JSON).

internal sealed record ProcedureIntroduced(
    string ProcedureId, string Ags, string Title, string Description, DateOnly IntroducedOn, string IntroducedBy, DateTimeOffset RecordedAt);

internal sealed record MilestoneScheduled(
    string ProcedureId, string Milestone, DateOnly DueOn, string Note, string ScheduledBy, DateTimeOffset RecordedAt);

internal sealed record BudgetApproved(
    string ProcedureId, decimal Amount, string Currency, DateOnly FiscalYearStart, string CostCentre, string ApprovedBy, DateTimeOffset RecordedAt);

internal sealed record OfferReceived(
    string ProcedureId, string Vendor, decimal NetAmount, decimal VatRate, DateOnly ValidUntil, string Summary, DateTimeOffset RecordedAt);

internal sealed record VendorDeprecationAnnounced(
    string ProcedureId, string ProductId, DateOnly AnnouncedOn, DateOnly EndOfSupport, string Source, string AnnouncedBy, DateTimeOffset RecordedAt);

internal sealed record CommentAdded(string ProcedureId, string Author, string Text, DateOnly WrittenOn, DateTimeOffset RecordedAt);

/// <summary>
/// Deterministic synthetic history: S streams ("procedures") opened evenly over the N events, every other event
/// going to an open stream, mostly a recently opened one, so streams interleave in the log as in real use.
/// The first event of a stream is ProcedureIntroduced; later ones follow a fixed mix.
/// </summary>
internal sealed class SyntheticEvents
{
    private const int Seed = 20261123;
    private const int RecentStreams = 2000;

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan History = TimeSpan.FromDays(730);

    private const string Lorem =
        "Die Gemeinde plant die Einfuehrung eines digitalen Antragsverfahrens fuer Bauantraege, Gewerbeanmeldungen und " +
        "Wohngeld. Das Verfahren soll an das Servicekonto angebunden werden und die Onlinezugangsgesetz-Leistungen " +
        "buendeln. Zu klaeren sind Schnittstellen zum Fachverfahren, der Datenschutz nach DSGVO, die Barrierefreiheit " +
        "nach BITV 2.0 und der Betrieb im kommunalen Rechenzentrum. Der Gemeinderat hat die Mittel im Haushalt " +
        "eingestellt; die Vergabe erfolgt nach UVgO im Verhandlungsverfahren mit Teilnahmewettbewerb. Angebote werden " +
        "nach Preis, Qualitaet und Supportzeitraum bewertet. Der Hersteller hat angekuendigt, die bisherige Version nur " +
        "noch bis zum Ende der Wartung mit Sicherheitsupdates zu versorgen; danach ist eine Migration noetig. Die " +
        "Projektleitung berichtet monatlich an den Hauptausschuss und stimmt Meilensteine mit dem Kreis ab. Offene " +
        "Punkte: Schulung der Sachbearbeitung, Uebernahme der Altdaten, Abnahme und Parallelbetrieb, Kosten fuer " +
        "Lizenzen und Hosting ueber fuenf Jahre, Kuendigungsfristen des Altvertrags und Ersatzbeschaffung der Scanner.";

    private static readonly string[] People = ["m.schulz", "a.yilmaz", "k.becker", "j.hoffmann", "s.wagner", "l.nowak", "t.keller", "r.schmitt"];
    private static readonly string[] Vendors = ["Lechtal Software", "Ammerdata", "Paarwinkel IT", "Römerstraße IT", "Windach Systems", "Pürgen Data", "Kinsau Soft", "Weil Digital"];
    private static readonly string[] Milestones = ["Bedarfsanalyse", "Ausschreibung", "Zuschlag", "Pilotbetrieb", "Schulung", "Go-live", "Abnahme"];
    private static readonly string[] Sources = ["vendor newsletter", "support portal", "security advisory", "account manager"];

    private readonly int _events;
    private readonly int _streams;

    public SyntheticEvents(int events, int streams)
    {
        _events = events;
        _streams = streams;
    }

    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register<ProcedureIntroduced>("bench.procedure.introduced")
        .Register<MilestoneScheduled>("bench.procedure.milestone-scheduled")
        .Register<BudgetApproved>("bench.procurement.budget-approved")
        .Register<OfferReceived>("bench.procurement.offer-received")
        .Register<VendorDeprecationAnnounced>("bench.vendor.deprecation-announced")
        .Register<CommentAdded>("bench.procedure.comment-added");

    public static string StreamId(int stream) => $"procedure-{stream:D8}";

    /// <summary>Stream of each event in log order (same sequence every time).</summary>
    public IEnumerable<int> StreamSequence()
    {
        var random = new Random(Seed);
        var opened = 0;
        for (long k = 0; k < _events; k++)
        {
            // Stream s opens at event floor(s * N / S), so every stream gets at least its first event.
            if (opened < _streams && k == (long)opened * _events / _streams)
            {
                yield return opened++;
                continue;
            }

            yield return random.Next(4) != 0
                ? Math.Max(0, opened - 1 - random.Next(Math.Min(opened, RecentStreams)))
                : random.Next(opened);
        }
    }

    /// <summary>The final version of every stream.</summary>
    public int[] StreamLengths()
    {
        var lengths = new int[_streams];
        foreach (var stream in StreamSequence())
        {
            lengths[stream]++;
        }

        return lengths;
    }

    /// <summary>When event <paramref name="index"/> of the log happened: spread evenly over two years.</summary>
    public DateTimeOffset TimeOf(long index) => Epoch + History * ((double)index / _events);

    /// <summary>The event at <paramref name="version"/> of a stream (version 1 opens it).</summary>
    public static object Create(Random random, int stream, long version, DateTimeOffset at)
    {
        var id = StreamId(stream);
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        if (version == 1)
        {
            return new ProcedureIntroduced(
                id, $"0{random.Next(1_000_000, 9_999_999)}", Text(random, 40, 90), Text(random, 200, 500), day, Pick(random, People), at);
        }

        var roll = random.Next(100);
        return roll switch
        {
            < 30 => new MilestoneScheduled(id, Pick(random, Milestones), day.AddDays(random.Next(14, 400)), Text(random, 40, 160), Pick(random, People), at),
            < 40 => new BudgetApproved(
                id, Math.Round((decimal)(random.NextDouble() * 2_000_000), 2), "EUR", new DateOnly(day.Year + random.Next(0, 2), 1, 1),
                $"KST-{random.Next(1000, 9999)}", Pick(random, People), at),
            < 60 => new OfferReceived(
                id, Pick(random, Vendors), Math.Round((decimal)(random.NextDouble() * 500_000), 2), random.Next(2) == 0 ? 19m : 7m,
                day.AddDays(random.Next(30, 120)), Text(random, 80, 240), at),
            < 70 => new VendorDeprecationAnnounced(
                id, $"{Pick(random, Vendors)}/product-{random.Next(1, 300)}", day, day.AddDays(random.Next(180, 1500)), Pick(random, Sources),
                Pick(random, People), at),
            _ => new CommentAdded(id, Pick(random, People), Text(random, 100, 1800), day, at),
        };
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Text(Random random, int minimum, int maximum)
    {
        var length = random.Next(minimum, maximum + 1);
        var builder = new System.Text.StringBuilder(length);
        while (builder.Length < length)
        {
            var start = random.Next(Lorem.Length);
            builder.Append(Lorem, start, Math.Min(Lorem.Length - start, length - builder.Length));
        }

        return builder.ToString();
    }
}
