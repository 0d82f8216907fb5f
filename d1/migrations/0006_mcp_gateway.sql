CREATE TABLE `mcp_gateway_servers` (
	`gateway_id` text NOT NULL,
	`server_id` text NOT NULL,
	`org_id` text NOT NULL,
	FOREIGN KEY (`gateway_id`) REFERENCES `mcp_gateways`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`server_id`) REFERENCES `mcp_servers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_gateway_servers_pair` ON `mcp_gateway_servers` (`gateway_id`,`server_id`);--> statement-breakpoint
CREATE INDEX `mcp_gateway_servers_server` ON `mcp_gateway_servers` (`server_id`);--> statement-breakpoint
CREATE TABLE `mcp_gateway_teams` (
	`gateway_id` text NOT NULL,
	`team_id` text NOT NULL,
	`org_id` text NOT NULL,
	FOREIGN KEY (`gateway_id`) REFERENCES `mcp_gateways`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_gateway_teams_pair` ON `mcp_gateway_teams` (`gateway_id`,`team_id`);--> statement-breakpoint
CREATE INDEX `mcp_gateway_teams_team` ON `mcp_gateway_teams` (`team_id`);--> statement-breakpoint
CREATE TABLE `mcp_gateways` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_gateways_slug` ON `mcp_gateways` (`slug`);--> statement-breakpoint
CREATE INDEX `mcp_gateways_org` ON `mcp_gateways` (`org_id`);--> statement-breakpoint
CREATE TABLE `mcp_server_tools` (
	`server_id` text NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`enabled` integer DEFAULT true NOT NULL,
	`seen_at` integer NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `mcp_servers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_server_tools_pair` ON `mcp_server_tools` (`server_id`,`name`);--> statement-breakpoint
CREATE TABLE `mcp_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`url` text NOT NULL,
	`auth_kind` text NOT NULL,
	`auth_ciphertext` text,
	`auth_hint` text,
	`timeout_ms` integer DEFAULT 30000 NOT NULL,
	`last_tested_at` integer,
	`last_test_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mcp_servers_org_name` ON `mcp_servers` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `mcp_tool_calls` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`at` integer NOT NULL,
	`user_id` text NOT NULL,
	`client_id` text,
	`client_name` text,
	`gateway_id` text NOT NULL,
	`gateway_slug` text NOT NULL,
	`server_id` text,
	`server_name` text,
	`tool` text NOT NULL,
	`upstream_tool` text,
	`session_id` text,
	`duration_ms` integer NOT NULL,
	`outcome` text NOT NULL,
	`error` text,
	`request_bytes` integer NOT NULL,
	`response_bytes` integer NOT NULL,
	`arguments` text,
	`result` text
);
--> statement-breakpoint
CREATE INDEX `mcp_tool_calls_org_at` ON `mcp_tool_calls` (`org_id`,`at`);--> statement-breakpoint
CREATE INDEX `mcp_tool_calls_user_at` ON `mcp_tool_calls` (`user_id`,`at`);--> statement-breakpoint
CREATE INDEX `mcp_tool_calls_gateway_at` ON `mcp_tool_calls` (`gateway_id`,`at`);--> statement-breakpoint
ALTER TABLE `organisations` ADD `mcp_log_payloads` integer DEFAULT false NOT NULL;