// @google/genai, the official JS SDK, pointed at mockgem by httpOptions.baseUrl.
import { ApiError, GoogleGenAI } from "@google/genai";
import { MODEL, URL_ROOT, runScenarios } from "./scenarios.mjs";

const ai = new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: URL_ROOT } });
const weather = { name: "get_weather", description: "Weather in a city", parametersJsonSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

await runScenarios({
  async generate() {
    const response = await ai.models.generateContent({ model: MODEL, contents: "Say hello" });
    return { text: response.text };
  },
  async stream() {
    const texts = [];
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: "Tell me a story" })) texts.push(chunk.text);
    return { chunks: texts.length, text: texts.join("") };
  },
  async function_call() {
    const config = { tools: [{ functionDeclarations: [weather] }] };
    const first = await ai.models.generateContent({ model: MODEL, contents: "What is the weather in Paris?", config });
    const call = first.functionCalls[0];
    const contents = [
      { role: "user", parts: [{ text: "What is the weather in Paris?" }] },
      first.candidates[0].content,
      { role: "user", parts: [{ functionResponse: { name: call.name, response: { output: "sunny" } } }] },
    ];
    const second = await ai.models.generateContent({ model: MODEL, contents, config });
    return { call: call.name, args: call.args, text: second.text };
  },
  async files() {
    const file = await ai.files.upload({ file: new Blob(["hello from a file"], { type: "text/plain" }), config: { mimeType: "text/plain" } });
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: [{ role: "user", parts: [{ fileData: { fileUri: file.uri, mimeType: file.mimeType } }, { text: "What does the file say?" }] }],
    });
    return { uri: file.uri, state: file.state, text: response.text };
  },
  async caches() {
    const cache = await ai.caches.create({ model: MODEL, config: { contents: [{ role: "user", parts: [{ text: "A long document. ".repeat(300) }] }], ttl: "300s" } });
    const response = await ai.models.generateContent({ model: MODEL, contents: "Say hello", config: { cachedContent: cache.name } });
    await ai.caches.delete({ name: cache.name });
    return { name: cache.name, cached: response.usageMetadata.cachedContentTokenCount, text: response.text };
  },
  async count_tokens() {
    const counted = await ai.models.countTokens({ model: MODEL, contents: "How many tokens is this?" });
    return { total: counted.totalTokens };
  },
  async embed() {
    const response = await ai.models.embedContent({ model: "gemini-embedding-001", contents: ["one", "two"], config: { outputDimensionality: 8 } });
    return { count: response.embeddings.length, size: response.embeddings[0].values.length };
  },
  async quota() {
    try {
      await ai.models.generateContent({ model: MODEL, contents: "quota please" });
      return { raised: false };
    } catch (error) {
      return { raised: error instanceof ApiError, status: error.status };
    }
  },
});
