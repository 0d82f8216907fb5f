-- Observability: conversation and trace ids on log rows (the trace waterfall joins on them),
-- the gateway's own added time, captured prompts and completions, per-organisation OTLP
-- exporters, and the content-capture and retention settings.
CREATE TABLE `llm_payloads` (
	`request_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`request` text,
	`response` text
);
--> statement-breakpoint
CREATE INDEX `llm_payloads_org_time` ON `llm_payloads` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `telemetry_exporters` (
	`org_id` text PRIMARY KEY NOT NULL,
	`protocol` text NOT NULL,
	`endpoint` text NOT NULL,
	`header_names` text NOT NULL,
	`headers_ciphertext` text,
	`sampling_ratio` real DEFAULT 1 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `llm_requests` ADD `conversation_id` text;--> statement-breakpoint
ALTER TABLE `llm_requests` ADD `trace_id` text;--> statement-breakpoint
ALTER TABLE `llm_requests` ADD `overhead_ms` integer;--> statement-breakpoint
CREATE INDEX `llm_requests_conversation` ON `llm_requests` (`org_id`,`conversation_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `mcp_tool_calls` ADD `conversation_id` text;--> statement-breakpoint
ALTER TABLE `mcp_tool_calls` ADD `trace_id` text;--> statement-breakpoint
CREATE INDEX `mcp_tool_calls_conversation` ON `mcp_tool_calls` (`org_id`,`conversation_id`,`at`);--> statement-breakpoint
ALTER TABLE `organisations` ADD `capture_content` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `retention_days` integer;