CREATE TABLE `usage_daily` (
	`day` text NOT NULL,
	`org_id` text NOT NULL,
	`user_id` text NOT NULL,
	`team_id` text NOT NULL,
	`proxy_id` text NOT NULL,
	`model` text NOT NULL,
	`virtual_key_id` text NOT NULL,
	`billing_mode` text NOT NULL,
	`requests` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cache_write_5m_tokens` integer NOT NULL,
	`cache_write_1h_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`cost_micro_usd` integer NOT NULL,
	`list_cost_micro_usd` integer NOT NULL,
	`unpriced_requests` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_daily_key` ON `usage_daily` (`day`,`org_id`,`user_id`,`team_id`,`proxy_id`,`model`,`virtual_key_id`,`billing_mode`);--> statement-breakpoint
CREATE INDEX `usage_daily_org_day` ON `usage_daily` (`org_id`,`day`);--> statement-breakpoint
ALTER TABLE `llm_requests` ADD `rolled_up` integer DEFAULT false NOT NULL;