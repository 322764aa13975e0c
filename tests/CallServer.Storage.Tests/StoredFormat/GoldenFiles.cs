namespace CallServer.Storage.Tests.StoredFormat;

/// <summary>The golden stored records (<c>Golden/{kind}-v{schema}-{name}.json</c>, copied to the test output).</summary>
public static class GoldenFiles
{
    private static string OutputFolder => Path.Combine(AppContext.BaseDirectory, "Golden");

    public static bool Exists(string kind, int schema, string name) => File.Exists(OutputPath(kind, schema, name));

    /// <summary>The record as a node stored it: the file's text, without a line end an editor may have added.</summary>
    public static string Read(string kind, int schema, string name) =>
        File.ReadAllText(OutputPath(kind, schema, name)).TrimEnd('\r', '\n');

    /// <summary>The sample names that have a file of <paramref name="kind"/> and <paramref name="schema"/>.</summary>
    public static IReadOnlyList<string> Names(string kind, int schema)
    {
        var prefix = $"{kind}-v{schema}-";
        return Directory.GetFiles(OutputFolder, prefix + "*.json")
            .Select(path => Path.GetFileNameWithoutExtension(path)[prefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Writes a golden file that does not exist yet into the source folder (found from the test output), for a
    /// new sample or a new schema; returns its path. Never overwrites one.
    /// </summary>
    public static string Create(string kind, int schema, string name, string record)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CallServer.Storage.Tests.csproj")))
        {
            folder = folder.Parent;
        }

        var path = Path.Combine(folder?.FullName ?? throw new DirectoryNotFoundException("the test project's folder"), "Golden", FileName(kind, schema, name));
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.Write(System.Text.Encoding.UTF8.GetBytes(record));
        return path;
    }

    private static string OutputPath(string kind, int schema, string name) => Path.Combine(OutputFolder, FileName(kind, schema, name));

    private static string FileName(string kind, int schema, string name) => $"{kind}-v{schema}-{name}.json";
}
