// Starts `chatroute lsp` for TOML documents. The server decides which of
// them are chatroute specs (a top-level [integration] table, or a
// `#:schema` line naming chatroute's schema) and stays quiet on the others
// (Cargo.toml, pyproject.toml), so the extension needs no file pattern.
import { ExtensionContext, workspace } from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const settings = workspace.getConfiguration("chatroute");
  const server: ServerOptions = { command: settings.get<string>("path") || "chatroute", args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "toml" }],
    initializationOptions: {
      crmSnapshot: settings.get<string>("crmSnapshot") || undefined,
      wazzupSnapshot: settings.get<string>("wazzupSnapshot") || undefined,
    },
  };
  client = new LanguageClient("chatroute", "chatroute", server, options);
  context.subscriptions.push(client);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
