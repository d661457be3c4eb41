// The names TRL's `trl grpo --config` accepts (GRPOConfig with transformers' TrainingArguments, ModelConfig,
// the script's dataset and reward arguments) and the defaults that matter when a field is absent: a TRL
// file that leaves learning_rate out trains at TRL's 1e-6, not at our default, so the import uses TRL's.
// Read from TRL 1.10 (grpo_config.py, model_config.py, scripts/grpo.py) and transformers' TrainingArguments.
// A key outside these lists is a typo (refused with the nearest name); a known key we do not model is
// reported as not supported, never dropped silently.

/** TRL's defaults for the fields the mapping reads (GRPOConfig overrides of TrainingArguments included). */
export const TRL_DEFAULTS: Record<string, unknown> = {
  learning_rate: 1e-6,
  lr_scheduler_type: 'linear',
  warmup_ratio: 0,
  weight_decay: 0,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  max_grad_norm: 1,
  per_device_train_batch_size: 8,
  gradient_accumulation_steps: 1,
  max_steps: -1,
  num_train_epochs: 3,
  seed: 42,
  save_steps: 500,
  gradient_checkpointing: true,
  num_generations: 8,
  max_completion_length: 512,
  temperature: 1,
  top_p: 1,
  top_k: 0,
  repetition_penalty: 1,
  beta: 0,
  num_iterations: 1,
  epsilon: 0.2,
  sapo_temperature_neg: 1.05,
  sapo_temperature_pos: 1,
  vespo_k_pos: 2,
  vespo_lambda_pos: 3,
  vespo_k_neg: 3,
  vespo_lambda_neg: 2,
  importance_sampling_level: 'token',
  scale_rewards: 'group',
  loss_type: 'dapo',
  mask_truncated_completions: false,
  top_entropy_quantile: 1,
  entropy_coef: 0,
  model_revision: 'main',
  lora_r: 16,
  lora_alpha: 32,
  lora_dropout: 0.05,
  use_peft: false,
};

const GRPO_FIELDS = `model_init_kwargs trust_remote_code router_aux_loss_coef disable_dropout cast_lm_head_to_fp32
remove_unused_columns num_generations num_generations_eval max_completion_length ds3_gather_for_generation
shuffle_dataset pad_to_multiple_of generation_batch_size steps_per_generation temperature top_p top_k min_p
generation_kwargs chat_template_kwargs repetition_penalty cache_implementation use_vllm vllm_mode
vllm_model_impl vllm_enable_sleep_mode vllm_structured_outputs_regex vllm_server_base_url vllm_server_host
vllm_server_port vllm_server_timeout vllm_group_port vllm_gpu_memory_utilization vllm_max_model_length
vllm_tensor_parallel_size beta num_iterations epsilon delta epsilon_high sapo_temperature_neg
sapo_temperature_pos vespo_k_pos vespo_lambda_pos vespo_k_neg vespo_lambda_neg importance_sampling_level
reward_weights multi_objective_aggregation scale_rewards loss_type mask_truncated_completions sync_ref_model
ref_model_mixup_alpha ref_model_sync_steps top_entropy_quantile entropy_coef use_adaptive_entropy
entropy_coef_min entropy_coef_max entropy_coef_delta entropy_target max_tool_calling_iterations
vllm_importance_sampling_correction vllm_importance_sampling_mode vllm_importance_sampling_clip_max
vllm_importance_sampling_clip_min off_policy_mask_threshold use_bias_correction_kl log_completions
log_multimodal num_completions_to_print log_unique_prompts log_completions_hub_repo
use_transformers_continuous_batching transformers_continuous_batching_config use_transformers_paged
vllm_importance_sampling_cap`;

const TRAINING_ARGS = `output_dir overwrite_output_dir do_train do_eval do_predict eval_strategy prediction_loss_only
per_device_train_batch_size per_device_eval_batch_size gradient_accumulation_steps eval_accumulation_steps
eval_delay learning_rate weight_decay adam_beta1 adam_beta2 adam_epsilon max_grad_norm num_train_epochs
max_steps lr_scheduler_type lr_scheduler_kwargs warmup_ratio warmup_steps log_level log_level_replica
logging_dir logging_strategy logging_first_step logging_steps logging_nan_inf_filter save_strategy save_steps
save_total_limit save_safetensors save_only_model restore_callback_states_from_checkpoint use_cpu seed
data_seed bf16 fp16 tf32 bf16_full_eval fp16_full_eval local_rank ddp_backend eval_steps
dataloader_num_workers dataloader_drop_last dataloader_pin_memory dataloader_persistent_workers
dataloader_prefetch_factor run_name disable_tqdm label_names load_best_model_at_end metric_for_best_model
greater_is_better ignore_data_skip fsdp fsdp_config deepspeed label_smoothing_factor optim optim_args
group_by_length length_column_name report_to project trackio_space_id ddp_find_unused_parameters
ddp_bucket_cap_mb ddp_broadcast_buffers skip_memory_metrics push_to_hub resume_from_checkpoint hub_model_id
hub_strategy hub_token hub_private_repo hub_always_push hub_revision gradient_checkpointing
gradient_checkpointing_kwargs include_for_metrics eval_do_concat_batches auto_find_batch_size
full_determinism ddp_timeout torch_compile torch_compile_backend torch_compile_mode
include_num_input_tokens_seen neftune_noise_alpha optim_target_modules batch_eval_metrics eval_on_start
use_liger_kernel liger_kernel_config eval_use_gather_object average_tokens_across_devices
parallelism_config accelerator_config torch_empty_cache_steps`;

const MODEL_ARGS = `model_name_or_path model_revision dtype torch_dtype attn_implementation use_peft lora_r lora_alpha
lora_dropout lora_target_modules lora_target_parameters lora_modules_to_save lora_task_type use_rslora
use_dora load_in_8bit load_in_4bit bnb_4bit_quant_type use_bnb_nested_quant bnb_4bit_quant_storage`;

const SCRIPT_ARGS = `dataset_name dataset_config dataset_train_split dataset_test_split dataset_streaming
gradient_checkpointing_use_reentrant ignore_bias_buffers reward_model_name_or_path reward_funcs datasets
streaming`;

/** PEFT LoraConfig kwargs, for a JSON dict of GRPOConfig + LoraConfig arguments. */
const LORA_CONFIG = `r lora_alpha lora_dropout target_modules exclude_modules use_rslora use_dora bias
modules_to_save fan_in_fan_out task_type alpha_pattern rank_pattern init_lora_weights layers_to_transform
layers_pattern inference_mode base_model_name_or_path revision peft_type target_parameters megatron_config
megatron_core loftq_config eva_config corda_config layer_replication runtime_config lora_bias use_qalora
qalora_group_size trainable_token_indices ensure_weight_tying`;

const words = (s: string) => s.split(/\s+/).filter(Boolean);
export const TRL_FIELDS = new Set([
  ...words(GRPO_FIELDS),
  ...words(TRAINING_ARGS),
  ...words(MODEL_ARGS),
  ...words(SCRIPT_ARGS),
]);
export const LORA_CONFIG_FIELDS = new Set(words(LORA_CONFIG));
