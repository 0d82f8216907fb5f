CREATE TABLE `telemetry_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text,
	`kind` text NOT NULL,
	`row_id` text,
	`reason` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `telemetry_dead_letters_org_time` ON `telemetry_dead_letters` (`org_id`,`failed_at`);