CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`token_prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_user` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `llm_proxies` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`provider` text NOT NULL,
	`provider_key_id` text,
	`allowed_models` text,
	`is_default` integer DEFAULT false NOT NULL,
	`allow_anonymous` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`provider_key_id`) REFERENCES `provider_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `llm_proxies_org` ON `llm_proxies` (`org_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `llm_proxies_one_default` ON `llm_proxies` (`org_id`) WHERE "llm_proxies"."is_default" = 1;--> statement-breakpoint
CREATE TABLE `llm_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`proxy_id` text NOT NULL,
	`endpoint` text NOT NULL,
	`user_id` text,
	`virtual_key_id` text,
	`passthrough_key_id` text,
	`credential` text NOT NULL,
	`billing_mode` text NOT NULL,
	`agent_id` text,
	`model` text,
	`streamed` integer NOT NULL,
	`status` integer NOT NULL,
	`error_type` text,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cache_write_5m_tokens` integer NOT NULL,
	`cache_write_1h_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`cost_micro_usd` integer,
	`ttfb_ms` integer,
	`duration_ms` integer NOT NULL,
	`client_gone` integer NOT NULL,
	`upstream_request_id` text
);
--> statement-breakpoint
CREATE INDEX `llm_requests_org_time` ON `llm_requests` (`org_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `llm_requests_user_time` ON `llm_requests` (`org_id`,`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `llm_requests_proxy_time` ON `llm_requests` (`org_id`,`proxy_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `organisations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `provider_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`provider` text NOT NULL,
	`secret_ciphertext` text NOT NULL,
	`secret_last4` text NOT NULL,
	`base_url` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `provider_keys_org` ON `provider_keys` (`org_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_token_hash` ON `sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `virtual_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`owner_user_id` text NOT NULL,
	`provider_key_id` text,
	`token_hash` text NOT NULL,
	`token_prefix` text NOT NULL,
	`token_ciphertext` text NOT NULL,
	`connection_proxy_id` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`org_id`) REFERENCES `organisations`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`provider_key_id`) REFERENCES `provider_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `virtual_keys_hash` ON `virtual_keys` (`token_hash`);--> statement-breakpoint
CREATE INDEX `virtual_keys_org_owner` ON `virtual_keys` (`org_id`,`owner_user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `virtual_keys_one_connection` ON `virtual_keys` (`owner_user_id`,`connection_proxy_id`,`kind`) WHERE "virtual_keys"."connection_proxy_id" IS NOT NULL AND "virtual_keys"."revoked_at" IS NULL;