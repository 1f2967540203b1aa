using System.Globalization;

namespace Sluice.Programs.Guard;

/// <summary>Printable differences between two <see cref="GuardSettings"/> ("pps: 0 -> 1000"), compared as the maps store them.</summary>
public static class GuardSettingsDiff
{
    /// <summary>One line per setting that differs, in config-file order; empty when the maps would hold the same values.</summary>
    public static IReadOnlyList<string> Lines(GuardSettings current, GuardSettings desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        // Round trip through the map value so that equivalent settings (a burst of 0 or 1) compare equal.
        var a = GuardSettings.FromConfigValue(current.ToConfigValue(0, GuardConfigFlags.None));
        var b = GuardSettings.FromConfigValue(desired.ToConfigValue(0, GuardConfigFlags.None));
        var lines = new List<string>();
        void Compare(string name, string before, string after)
        {
            if (before != after) lines.Add($"{name}: {before} -> {after}");
        }
        Compare("pps", N(a.Limits.PacketsPerSecond), N(b.Limits.PacketsPerSecond));
        Compare("synPps", N(a.Limits.SynPerSecond), N(b.Limits.SynPerSecond));
        Compare("burst", N(a.Limits.Burst), N(b.Limits.Burst));
        Compare("synBurst", N(a.Limits.SynBurst), N(b.Limits.SynBurst));
        Compare("blockSeconds", a.Limits.BlockTime.TotalSeconds.ToString(CultureInfo.InvariantCulture), b.Limits.BlockTime.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        Compare("connections.perSecond", N(a.Limits.ConnectionsPerSecond), N(b.Limits.ConnectionsPerSecond));
        Compare("connections.burst", N(a.Limits.ConnectionBurst), N(b.Limits.ConnectionBurst));
        Compare("connections.concurrent", N(a.Limits.MaxConcurrentConnections), N(b.Limits.MaxConcurrentConnections));
        Compare("malformed", Verdict(a.Malformed), Verdict(b.Malformed));
        Compare("default", Verdict(a.Default), Verdict(b.Default));
        Compare("sampleRate", N(a.SampleRate), N(b.SampleRate));
        Compare("synCookies", Flag(a.SynCookies), Flag(b.SynCookies));
        Compare("metadata", Flag(a.Metadata), Flag(b.Metadata));
        Compare("trackSources", Flag(a.TrackSources), Flag(b.TrackSources));
        Compare("suspicious", GuardMarkNames.Format(a.Suspicious), GuardMarkNames.Format(b.Suspicious));
        Compare("tcDrop", GuardMarkNames.Format(a.TcDrop), GuardMarkNames.Format(b.TcDrop));
        return lines;
    }

    /// <summary>"drop" or "pass".</summary>
    public static string Verdict(GuardVerdict verdict) => verdict == GuardVerdict.Drop ? "drop" : "pass";

    private static string N(uint value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Flag(bool value) => value ? "on" : "off";
}
