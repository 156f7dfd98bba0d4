# lawfactory: data → train → export → predict → eval.  `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

RAW  ?= samples
DATA ?= data
OUT  ?= out
SEED ?= 42
# e.g. DATA_ARGS='--exclude lawbench/3-4.json --charges accu.txt --articles law.txt --workers 8'
DATA_ARGS ?=
# empty: the card (and GPU count) named in the recipe's `lawfactory check … →` comment line
GPU  ?=
RECIPE ?= recipes/criminal_qlora.yaml
VENV ?= .venv
PY   := $(VENV)/bin/python
LF   := $(VENV)/bin/lawfactory
LLF  := $(VENV)/bin/llamafactory-cli
STAMP := $(VENV)/.lawfactory-installed

# The recipes read ./dataset_info.json (data/…); a DATA elsewhere carries its own copy.
DATASET_DIR := $(if $(filter data data/,$(DATA)),.,$(DATA))

# Citation validity needs the statute index; without it eval still runs (and says so in the report).
EVAL_STATUTES = $$( [ -f $(DATA)/statutes_index.jsonl ] && echo --statutes $(DATA)/statutes_index.jsonl )
# Attitude sensitivity needs predictions on the pairs (`make predict-pairs`); eval adds them when present,
# the SFT model's and, after `make dpo`, the DPO model's side by side. $(1): the output folder.
PAIRS_ARGS = --pairs-predictions sft=$(1)/criminal_pairs_predict/generated_predictions.jsonl \
  $$( [ -f $(1)/criminal_dpo_pairs_predict/generated_predictions.jsonl ] && \
      echo --pairs-predictions dpo=$(1)/criminal_dpo_pairs_predict/generated_predictions.jsonl ) \
  --pairs-gold $(DATA)/criminal_attitude_pairs_eval.jsonl
EVAL_PAIRS = $$( [ -f $(OUT)/criminal_pairs_predict/generated_predictions.jsonl ] && echo $(call PAIRS_ARGS,$(OUT)) )
# The arms (no articles, retrieved, cited: docs/evaluation.md) need predictions on the retrieval-grounded
# and grounded eval files (`make predict-arms`, the demo); eval compares them when present. $(1): the output folder.
ARM_ARGS = --arm none=$(1)/criminal_predict/generated_predictions.jsonl:$(DATA)/criminal_sentencing_eval.jsonl \
  --arm retrieved=$(1)/criminal_rag_predict/generated_predictions.jsonl:$(DATA)/criminal_sentencing_rag_eval.jsonl \
  --arm cited=$(1)/criminal_grounded_predict/generated_predictions.jsonl:$(DATA)/criminal_sentencing_grounded_eval.jsonl
EVAL_ARMS = $$( [ -f $(OUT)/criminal_rag_predict/generated_predictions.jsonl ] && echo $(call ARM_ARGS,$(OUT)) )

# Demo: the real recipes on a tiny random Qwen3 (CPU), with only the overrides a CPU needs.
DEMO   ?= $(OUT)/demo
TINY   := $(DEMO)/tiny-qwen3
CPU_OVERRIDES := bf16=false preprocessing_num_workers=1 dataloader_num_workers=0 dataset_dir=$(DATASET_DIR)
DEMO_STEPS ?= 20
DEMO_DPO_STEPS ?= 4
# live sentencing metrics at each evaluation (docs/training.md), small for a CPU
DEMO_METRICS := --metrics-rows 4 --metrics-pairs 2 --metrics-max-new-tokens 32

.PHONY: help install dataset-info data tiny-model train dpo export predict predict-pairs predict-arms eval demo demo-run test test-fast bench check clean

help:
	@echo "make demo     install, build data from samples/, train/export/predict/eval a tiny model on CPU"
	@echo "make test     install, ruff check, run the test suite"
	@echo "make data     RAW=samples DATA=data: convert raw legal data into LLaMA-Factory datasets"
	@echo "make train    RECIPE=recipes/criminal_qlora.yaml (real GPU run, sentencing metrics while training)"
	@echo "make dpo      DPO toward the attitude direction on the merged SFT model (after make export), merge, card"
	@echo "make export   merge the adapter and write the model card"
	@echo "make predict  / make eval   predictions on the eval set (lawfactory predict: vLLM on a GPU) and the report"
	@echo "make predict-pairs          predictions on the attitude pairs (make eval then adds attitude sensitivity)"
	@echo "make predict-arms           predictions with retrieved and with cited articles (make eval then compares the arms)"
	@echo "make check    RECIPE=… [GPU=a10-24g]: preflight a recipe before renting a GPU"
	@echo "make bench    data-pipeline benchmarks (BENCHMARKS.md)"
	@echo "make dataset-info           regenerate dataset_info.json from lawfactory/tasks/registry.py"

install: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,ray]'
	touch $@

dataset-info: install
	$(PY) -m lawfactory.tasks.registry --write

data: install
	$(LF) data --raw $(RAW) --out $(DATA) --seed $(SEED) $(DATA_ARGS)

tiny-model: install
	test -f $(TINY)/config.json || $(LF) tiny-model --out $(TINY)

# --- real runs (GPU) ----------------------------------------------------------------------
# lawfactory train = llamafactory-cli train + sentencing metrics at each evaluation (docs/training.md)
train: install
	$(LF) train $(RECIPE)

# DPO toward the attitude direction on the merged SFT model (after `make export`), then its merge
dpo: install
	$(LF) train recipes/criminal_dpo.yaml
	$(LLF) export recipes/criminal_dpo_export.yaml
	$(LF) model-card --export-dir $(OUT)/criminal_dpo_merged --recipe recipes/criminal_dpo.yaml \
	  --manifest $(DATA)/manifest.json --train-dir $(OUT)/criminal_dpo --eval-dir $(OUT)/criminal_eval

export: install
	$(LLF) export recipes/criminal_export.yaml
	$(LF) model-card --export-dir $(OUT)/criminal_merged --recipe $(RECIPE) --manifest $(DATA)/manifest.json \
	  --train-dir $(OUT)/criminal_qlora --eval-dir $(OUT)/criminal_eval

# lawfactory predict: vLLM on a GPU when installed, else batched generation; the same file as
# `llamafactory-cli train recipes/criminal_predict.yaml` (docs/training.md#prediction-lawfactory-predict)
predict: install
	$(LF) predict recipes/criminal_predict.yaml

predict-pairs: install
	$(LF) predict recipes/criminal_predict.yaml eval_dataset=criminal_attitude_pairs_eval output_dir=$(OUT)/criminal_pairs_predict
	test ! -d $(OUT)/criminal_dpo_merged || $(LF) predict recipes/criminal_predict.yaml model_name_or_path=$(OUT)/criminal_dpo_merged \
	  eval_dataset=criminal_attitude_pairs_eval output_dir=$(OUT)/criminal_dpo_pairs_predict

predict-arms: install
	$(LF) predict recipes/criminal_predict.yaml eval_dataset=criminal_sentencing_rag_eval output_dir=$(OUT)/criminal_rag_predict
	$(LF) predict recipes/criminal_predict.yaml eval_dataset=criminal_sentencing_grounded_eval output_dir=$(OUT)/criminal_grounded_predict

eval: install
	$(LF) eval --predictions $(OUT)/criminal_predict/generated_predictions.jsonl \
	  --gold $(DATA)/criminal_sentencing_eval.jsonl --train $(DATA)/criminal_sentencing.jsonl \
	  $(EVAL_STATUTES) $(EVAL_PAIRS) $(EVAL_ARMS) --out $(OUT)/criminal_eval
	@echo "report: $(OUT)/criminal_eval/report.md"

check: install
	$(LF) check $(RECIPE) $(if $(GPU),--gpu $(GPU))

# --- demo (CPU, tiny model) ---------------------------------------------------------------
demo: install
	$(MAKE) --no-print-directory demo-run

demo-run: data tiny-model
	$(LF) train recipes/criminal_qlora.yaml $(DEMO_METRICS) model_name_or_path=$(TINY) output_dir=$(DEMO)/criminal_qlora \
	  $(DEMO_EXTRA) max_steps=$(DEMO_STEPS) logging_steps=1 eval_steps=10 save_steps=$(DEMO_STEPS) learning_rate=5.0e-3 $(CPU_OVERRIDES)
	$(LLF) export recipes/criminal_export.yaml model_name_or_path=$(TINY) adapter_name_or_path=$(DEMO)/criminal_qlora \
	  export_dir=$(DEMO)/criminal_merged
	$(LF) predict recipes/criminal_predict.yaml model_name_or_path=$(DEMO)/criminal_merged \
	  output_dir=$(DEMO)/criminal_predict max_new_tokens=64 $(CPU_OVERRIDES)
	$(LF) predict recipes/criminal_predict.yaml model_name_or_path=$(DEMO)/criminal_merged eval_dataset=criminal_sentencing_rag_eval \
	  output_dir=$(DEMO)/criminal_rag_predict max_new_tokens=64 $(CPU_OVERRIDES)
	$(LF) predict recipes/criminal_predict.yaml model_name_or_path=$(DEMO)/criminal_merged eval_dataset=criminal_sentencing_grounded_eval \
	  output_dir=$(DEMO)/criminal_grounded_predict max_new_tokens=64 $(CPU_OVERRIDES)
	$(LF) predict recipes/criminal_predict.yaml model_name_or_path=$(DEMO)/criminal_merged eval_dataset=criminal_attitude_pairs_eval \
	  output_dir=$(DEMO)/criminal_pairs_predict max_new_tokens=64 $(CPU_OVERRIDES)
	$(LF) train recipes/criminal_dpo.yaml $(DEMO_METRICS) model_name_or_path=$(DEMO)/criminal_merged output_dir=$(DEMO)/criminal_dpo \
	  max_steps=$(DEMO_DPO_STEPS) logging_steps=1 eval_steps=$(DEMO_DPO_STEPS) save_steps=$(DEMO_DPO_STEPS) learning_rate=5.0e-4 $(CPU_OVERRIDES)
	$(LLF) export recipes/criminal_dpo_export.yaml model_name_or_path=$(DEMO)/criminal_merged adapter_name_or_path=$(DEMO)/criminal_dpo \
	  export_dir=$(DEMO)/criminal_dpo_merged
	$(LF) predict recipes/criminal_predict.yaml model_name_or_path=$(DEMO)/criminal_dpo_merged eval_dataset=criminal_attitude_pairs_eval \
	  output_dir=$(DEMO)/criminal_dpo_pairs_predict max_new_tokens=64 $(CPU_OVERRIDES)
	$(LF) eval --predictions $(DEMO)/criminal_predict/generated_predictions.jsonl \
	  --gold $(DATA)/criminal_sentencing_eval.jsonl --train $(DATA)/criminal_sentencing.jsonl \
	  $(EVAL_STATUTES) $(call ARM_ARGS,$(DEMO)) $(call PAIRS_ARGS,$(DEMO)) --out $(DEMO)/criminal_eval
	$(LF) model-card --export-dir $(DEMO)/criminal_merged --recipe recipes/criminal_qlora.yaml \
	  --manifest $(DATA)/manifest.json --train-dir $(DEMO)/criminal_qlora --eval-dir $(DEMO)/criminal_eval
	$(LF) model-card --export-dir $(DEMO)/criminal_dpo_merged --recipe recipes/criminal_dpo.yaml \
	  --manifest $(DATA)/manifest.json --train-dir $(DEMO)/criminal_dpo --eval-dir $(DEMO)/criminal_eval
	@echo
	@echo "demo finished:"
	@echo "  datasets + manifest   $(DATA)/"
	@echo "  tiny base model       $(TINY)/"
	@echo "  QLoRA adapter, loss   $(DEMO)/criminal_qlora/ (trainer_log.jsonl: loss and sentencing metrics)"
	@echo "  DPO adapter, merged   $(DEMO)/criminal_dpo/, $(DEMO)/criminal_dpo_merged/ (model card README.md)"
	@echo "  merged model          $(DEMO)/criminal_merged/"
	@echo "  model card            $(DEMO)/criminal_merged/README.md"
	@echo "  predictions           $(DEMO)/criminal_predict/generated_predictions.jsonl"
	@echo "  predictions, 3 arms   $(DEMO)/criminal{,_rag,_grounded}_predict/generated_predictions.jsonl"
	@echo "  evaluation report     $(DEMO)/criminal_eval/report.md (metrics.json, plots: three arms; SFT vs DPO on the attitude pairs)"

# --- tests ---------------------------------------------------------------------------------
# two pytest-xdist workers, a test module on one worker (its module fixtures are built once), handed out
# in collection order: tests/conftest.py puts the modules with slow tests first
PYTEST := $(VENV)/bin/pytest -q -n 2 --dist loadfile --no-loadscope-reorder

test: install
	$(VENV)/bin/ruff check .
	$(PYTEST)

test-fast: install
	$(PYTEST) -m "not slow"

# Data pipeline at 50k and 1M generated CAIL records vs the orjson floor → BENCHMARKS.md (≈10 min, ≈6 GB disk).
BENCH_SIZES ?= 50000,1000000
bench: install
	$(PY) -m lawfactory.dev.bench --sizes $(BENCH_SIZES) --workdir $(OUT)/bench

clean:
	rm -rf $(DATA) $(OUT)
