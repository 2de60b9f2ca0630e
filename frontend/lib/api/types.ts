/** Names for the API's schemas the dashboard uses (from the generated client). */

import type { components } from "./schema";

type Schemas = components["schemas"];

export type Agent = Schemas["AgentOut"];
export type AgentSpec = Schemas["VoiceAgentSpec"];
export type AgentTemplate = Schemas["AgentTemplate"];
export type Condition = Schemas["Condition"];
export type Workspace = Schemas["WorkspaceOut"];
export type Member = Schemas["MemberOut"];
export type Invitation = Schemas["InvitationOut"];
export type Role = Schemas["Role"];
export type Token = Schemas["TokenOut"];
export type TokenCreated = Schemas["TokenCreated"];
export type ProviderKey = Schemas["KeyOut"];
export type KeyCheck = Schemas["KeyCheckOut"];
export type Provider = Schemas["Provider"];
export type User = Schemas["UserOut"];
export type Tool = Schemas["Tool"];
export type Webhook = Schemas["Webhook"];

export const ROLES: readonly Role[] = ["owner", "admin", "developer", "viewer"];
export const PROVIDERS: readonly Provider[] = ["openai", "cartesia", "deepgram", "google", "twilio"];

const ROLE_RANK: Record<Role, number> = { viewer: 0, developer: 1, admin: 2, owner: 3 };

/** Whether `held` is at least `needed` (the API's own ordering of roles). */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLE_RANK[held] >= ROLE_RANK[needed];
}

export type CallSummary = Schemas["SessionSummary"];
export type CallDetail = Schemas["SessionDetail"];
export type CallPage = Schemas["SessionPage"];
export type CallDirection = Schemas["CallDirection"];
export type CallStatus = Schemas["CallStatus"];
export type EndReason = Schemas["EndReason"];
export type TurnLatency = Schemas["TurnLatency"];
export type DeliveryLogEntry = Schemas["DeliveryLogEntry"];
export type Analytics = Schemas["Analytics"];
export type AnalyticsGroup = Schemas["Group"];
export type PhoneNumber = Schemas["PhoneNumberOut"];
export type AvailableNumber = Schemas["AvailableNumberOut"];
export type AvailableNumbers = Schemas["AvailableNumbersOut"];
export type OutboundCall = Schemas["OutboundCallOut"];

export type CodeTree = Schemas["TreeOut"];
export type CodeFile = Schemas["FileOut"];
export type CodeIssue = Schemas["CodeIssueOut"];
export type CodeValidation = Schemas["ValidationOut"];
export type CodeRevision = Schemas["RevisionOut"];
export type CodeDiff = Schemas["DiffOut"];
export type BuildLog = Schemas["BuildLogOut"];
export type AssistantConversation = Schemas["ConversationOut"];
export type AssistantMessage = Schemas["MessageOut"];
export type AssistantProposal = Schemas["ProposalOut"];
