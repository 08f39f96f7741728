namespace Workflow.Functions.LocalStack;

/// <summary>Finds the repository root: the folder whose package.json pins Azurite.</summary>
internal static class RepositoryRoot
{
    public static string? Find(string start)
    {
        foreach (string origin in new[] { start, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(origin); dir is not null; dir = dir.Parent)
            {
                string package = Path.Combine(dir.FullName, "package.json");
                if (File.Exists(package) && File.ReadAllText(package).Contains("\"azurite\"", StringComparison.Ordinal))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
