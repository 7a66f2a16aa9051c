/** A Mermaid node id for a name: Mermaid ids take letters, digits and underscores only. */
export const mermaidId = (text: string) => text.replace(/[^A-Za-z0-9]/g, "_");
