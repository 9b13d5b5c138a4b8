/**
 * Reading synthesized templates for behaviour assertions: resources by type, references (including weak
 * cross-stack ones, Fn::GetStackOutput) resolved to the producing stack's resource, and each function's
 * effective permissions as flat "action on resource [via service]" lines.
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export type Json = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

export class Templates {
  private readonly byName = new Map<string, Json>();

  constructor(stacks: Stack[]) {
    for (const stack of stacks) this.byName.set(stack.stackName, Template.fromStack(stack).toJSON() as Json);
  }

  template(stackName: string): Json {
    const template = this.byName.get(stackName);
    if (!template) throw new Error(`no template ${stackName}`);
    return template;
  }

  resources(stackName: string, type?: string): [string, Resource][] {
    const all = Object.entries(this.template(stackName).Resources as Record<string, Resource>);
    return type ? all.filter(([, r]) => r.Type === type) : all;
  }

  /** `Stack:LogicalId` of what a reference points at (Ref, Fn::GetAtt, or a weak cross-stack output). */
  target(stackName: string, value: unknown): string {
    if (typeof value === 'string') return value;
    const ref = value as Json;
    if (typeof ref.Ref === 'string') return `${stackName}:${ref.Ref}`;
    if (Array.isArray(ref['Fn::GetAtt'])) return `${stackName}:${(ref['Fn::GetAtt'] as string[])[0]}`;
    const output = ref['Fn::GetStackOutput'] as { StackName: string; OutputName: string } | undefined;
    if (output) {
      const outputs = this.template(output.StackName).Outputs as Record<string, { Value: unknown }>;
      const produced = outputs[output.OutputName];
      if (!produced) throw new Error(`no output ${output.OutputName} in ${output.StackName}`);
      return this.target(output.StackName, produced.Value);
    }
    return JSON.stringify(value);
  }

  /**
   * Every permission the function's role has, from every policy attached to it, as
   * "dynamodb:GetItem on Tailor-dev-Stateful:RulesTable… [via dynamodb]".
   */
  permissions(stackName: string, functionLogicalId: string): string[] {
    const fn = this.template(stackName).Resources as Record<string, Resource>;
    const roleId = this.target(stackName, fn[functionLogicalId]?.Properties.Role).split(':')[1];
    const lines: string[] = [];
    for (const [, policy] of this.resources(stackName)) {
      if (policy.Type !== 'AWS::IAM::ManagedPolicy' && policy.Type !== 'AWS::IAM::Policy') continue;
      const roles = (policy.Properties.Roles as unknown[] | undefined) ?? [];
      if (!roles.some((role) => this.target(stackName, role) === `${stackName}:${roleId}`)) continue;
      const statements = (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement;
      for (const statement of statements) {
        const actions = ([] as unknown[]).concat(statement.Action);
        const resources = ([] as unknown[]).concat(statement.Resource);
        const condition = statement.Condition as
          | { StringEquals?: Json; 'ForAllValues:StringLike'?: Json }
          | undefined;
        const via = condition?.StringEquals?.['kms:ViaService'];
        const leading = condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
        const only = leading === undefined ? '' : ` only ${([] as unknown[]).concat(leading).join(',')}`;
        for (const action of actions)
          for (const resource of resources)
            lines.push(
              `${String(action)} on ${this.target(stackName, resource)}${only}${typeof via === 'string' ? ` via ${via.split('.')[0]}` : ''}`,
            );
      }
    }
    return lines.sort();
  }

  /** The logical id of the one resource of this type whose id starts with the prefix. */
  id(stackName: string, type: string, prefix: string): string {
    const found = this.resources(stackName, type).filter(([id]) => id.startsWith(prefix));
    if (found.length !== 1)
      throw new Error(`${found.length} ${type} starting with ${prefix} in ${stackName}`);
    return found[0]![0];
  }
}
