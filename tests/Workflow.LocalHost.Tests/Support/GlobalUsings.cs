// Shared with the Functions tests from Workflow.Testing, under the names this project's tests have always used.
global using Problems = Workflow.Testing.Problems;
global using TestVins = Workflow.Testing.Vins.TestVins;
