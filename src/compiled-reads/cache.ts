import type { FieldNode, FragmentDefinitionNode } from 'graphql';
import { variablesUsed } from './selection.ts';

/** What a selection compiled to: a plan, or the reason it falls back to the resolvers. */
export type Compiled<Plan> = { plan: Plan } | { unsupported: string };

interface Entry<Plan> {
  /** The variables used under the field: their values shape the statement (@include, first). */
  variables: string[];
  variants: Map<string, Compiled<Plan>>;
}

/** Statements kept per field node: variable values beyond this are rare, and the oldest goes. */
const maxVariants = 16;

/**
 * Plans by the field's AST node (yoga's parse cache keeps a document's nodes for as long as the
 * document is used, so this is bounded by it), then by what else shapes the statement: the
 * database schema, the values of the variables used beneath the field, and the root arguments
 * that are not parameters.
 */
export class PlanCache<Plan> {
  private readonly byNode = new WeakMap<FieldNode, Entry<Plan>>();

  get(
    node: FieldNode,
    fragments: Record<string, FragmentDefinitionNode>,
    variables: Record<string, unknown>,
    shape: unknown,
    build: () => Compiled<Plan>,
  ): Compiled<Plan> {
    let entry = this.byNode.get(node);
    if (!entry) {
      entry = { variables: variablesUsed([node], fragments), variants: new Map() };
      this.byNode.set(node, entry);
    }
    const key = JSON.stringify([shape, entry.variables.map((name) => variables[name] ?? null)]);
    let compiled = entry.variants.get(key);
    if (!compiled) {
      compiled = build();
      if (entry.variants.size >= maxVariants) entry.variants.delete(entry.variants.keys().next().value!);
      entry.variants.set(key, compiled);
    }
    return compiled;
  }
}
