namespace Nuvem.Bench;

/// <summary>Median and 90th percentile of a set of samples.</summary>
internal sealed record Stats(double Median, double P90)
{
    public static Stats Of(IEnumerable<double> values)
    {
        var samples = values.Order().ToArray();
        return new Stats(samples[samples.Length / 2], samples[Math.Min(samples.Length - 1, (int)(samples.Length * 0.9))]);
    }

    public override string ToString() => $"{Median,7:F0} ({P90:F0})";
}
