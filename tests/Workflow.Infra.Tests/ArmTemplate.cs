using System.Text.Json;
using System.Text.RegularExpressions;

namespace Workflow.Infra.Tests;

/// <summary>One resource of a compiled ARM template, with the (possibly nested) template that declares it.</summary>
internal sealed record ArmResource(JsonElement Element, JsonElement Template, string ModuleName)
{
    public string Type => Element.GetProperty("type").GetString()!;

    public string Name => Element.GetProperty("name").GetString()!;

    public string? Condition => Element.TryGetProperty("condition", out var condition) ? condition.ToString() : null;

    public JsonElement Properties => Element.GetProperty("properties");

    /// <summary>Value at a dotted path under the resource ("properties.siteConfig.ftpsState").</summary>
    public JsonElement Get(string path) => ArmTemplate.Get(Element, path);

    public string GetString(string path) => Get(path).ValueKind == JsonValueKind.String
        ? Get(path).GetString()!
        : Get(path).GetRawText();

    /// <summary>The expression of a variable of the declaring template, when <paramref name="expression"/> is "[variables('x')]".</summary>
    public string ResolveVariable(string expression) => ArmTemplate.ResolveVariable(Template, expression);

    public override string ToString() => $"{Type} {Name} (module {ModuleName})";
}

/// <summary>Helpers to read an ARM template compiled by bicep (modules become nested deployments).</summary>
internal static partial class ArmTemplate
{
    public const string DeploymentsType = "Microsoft.Resources/deployments";

    /// <summary>Resources of the template and, recursively, of every nested (module) template.</summary>
    public static IReadOnlyList<ArmResource> AllResources(JsonElement template)
    {
        var found = new List<ArmResource>();
        Collect(template, "main", found);
        return found;
    }

    /// <summary>Every template: the root and each nested module template, by module name.</summary>
    public static IReadOnlyList<(string ModuleName, JsonElement Template)> AllTemplates(JsonElement template)
    {
        var templates = new List<(string, JsonElement)> { ("main", template) };
        foreach (var resource in AllResources(template).Where(r => r.Type == DeploymentsType))
        {
            if (resource.Properties.TryGetProperty("template", out var nested))
            {
                templates.Add((ModuleNameOf(resource.Name), nested));
            }
        }

        return templates;
    }

    /// <summary>The module (nested deployment) resource of the root template whose name starts with <paramref name="moduleName"/>.</summary>
    public static ArmResource Module(JsonElement template, string moduleName) =>
        AllResources(template).Single(r => r.Type == DeploymentsType && ModuleNameOf(r.Name) == moduleName);

    public static JsonElement Get(JsonElement element, string path)
    {
        var current = element;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out var next))
            {
                throw new KeyNotFoundException($"No '{segment}' (of path '{path}') in {Truncate(element.GetRawText())}");
            }

            current = next;
        }

        return current;
    }

    public static string ResolveVariable(JsonElement template, string expression)
    {
        var match = VariableReference().Match(expression);
        if (!match.Success)
        {
            return expression;
        }

        return Get(template, "variables." + match.Groups["name"].Value).GetString()!;
    }

    /// <summary>"[format('storage-{0}', variables('resourceToken'))]" → "storage"; "monitoring" → "monitoring".</summary>
    public static string ModuleNameOf(string deploymentNameExpression)
    {
        var match = ModuleNameFormat().Match(deploymentNameExpression);
        return match.Success ? match.Groups["name"].Value : deploymentNameExpression;
    }

    private static void Collect(JsonElement template, string moduleName, List<ArmResource> found)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            return;
        }

        // languageVersion 2.0 templates keep resources in an object keyed by symbolic name.
        var items = resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : resources.EnumerateObject().Select(p => p.Value).ToList();
        foreach (var item in items)
        {
            var resource = new ArmResource(item, template, moduleName);
            found.Add(resource);
            if (resource.Type == DeploymentsType && resource.Properties.TryGetProperty("template", out var nested))
            {
                Collect(nested, ModuleNameOf(resource.Name), found);
            }
        }
    }

    private static string Truncate(string text) => text.Length <= 600 ? text : text[..600] + "...";

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[format\('(?<name>[A-Za-z0-9]+)-\{0\}'")]
    private static partial Regex ModuleNameFormat();
}
