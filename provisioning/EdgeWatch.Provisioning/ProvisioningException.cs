namespace EdgeWatch.Provisioning;

/// <summary>A failure the technician can act on: printed as one line, exit code 2, never a stack trace.</summary>
public sealed class ProvisioningException(string message) : Exception(message);
