namespace EdgeWatch.Hardware.Profiles;

/// <summary>A board profile that cannot be used. The message names the profile and the channel at fault.</summary>
public sealed class BoardProfileException : Exception
{
    public BoardProfileException(string message) : base(message) { }
    public BoardProfileException(string message, Exception inner) : base(message, inner) { }
    public BoardProfileException() { }
}
