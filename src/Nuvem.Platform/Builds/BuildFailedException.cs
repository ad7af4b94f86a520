namespace Nuvem.Platform.Builds;

/// <summary>A build that cannot go on, with a reason meant for the person who pushed.</summary>
public sealed class BuildFailedException(string message) : Exception(message);
