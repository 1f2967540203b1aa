using System.Runtime.CompilerServices;

// The controller tests drive the Apply rollback through an internal failure hook.
[assembly: InternalsVisibleTo("Sluice.Programs.Tests")]
