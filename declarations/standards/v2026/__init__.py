"""The 2026 rules (工信部企业〔2026〕2号, §3.5): hard conditions of 专精特新 and 小巨人."""
