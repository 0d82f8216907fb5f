CREATE TABLE `limits` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`scope_id` text,
	`metric` text NOT NULL,
	`window` text NOT NULL,
	`amount` integer NOT NULL,
	`models` text,
	`window_version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `limits_org` ON `limits` (`org_id`);--> statement-breakpoint
CREATE TABLE `model_prices` (
	`org_id` text NOT NULL,
	`model` text NOT NULL,
	`input` integer NOT NULL,
	`output` integer NOT NULL,
	`cache_write_5m` integer NOT NULL,
	`cache_write_1h` integer NOT NULL,
	`cache_read` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `model_prices_org_model` ON `model_prices` (`org_id`,`model`);--> statement-breakpoint
ALTER TABLE `organisations` ADD `time_zone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `limit_fail_mode` text DEFAULT 'closed' NOT NULL;--> statement-breakpoint
ALTER TABLE `organisations` ADD `default_model_price` text;