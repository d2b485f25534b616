// Runs the named scenarios (SCENARIOS, comma-separated; all when unset) and prints one JSON
// object on the last line of stdout: {scenario: {...what it saw} | {error: "Name: message"}}.
export async function runScenarios(scenarios) {
  const wanted = process.env.SCENARIOS ? process.env.SCENARIOS.split(",") : Object.keys(scenarios);
  const results = {};
  for (const name of wanted) {
    try {
      results[name] = await scenarios[name]();
    } catch (error) {
      results[name] = { error: `${error?.constructor?.name}: ${error?.message}`, status: error?.status };
    }
  }
  console.log(JSON.stringify(results));
}

export const MODEL = process.env.MOCKGEM_MODEL ?? "gemini-2.5-flash";
export const URL_ROOT = process.env.MOCKGEM_URL;
