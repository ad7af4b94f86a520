namespace Nuvem.Platform.Builds;

/// <summary>A build that cannot go on, with a reason meant for the person who pushed.</summary>
public sealed class BuildFailedException(string message) : Exception(message);

/// <summary>The build made a slug, but the release command refused it; the release is marked failed.</summary>
public sealed class ReleasePhaseFailedException(string message) : Exception(message);
