"""Password policy (MLPS level 3 asks for length and complexity)."""
from __future__ import annotations

MIN_LENGTH = 10

# A short list of the passwords most often tried first; the full list lives with the security work.
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "123456789a", "qwertyuiop", "1qaz2wsx3edc",
    "a123456789", "abc1234567", "woaini1314", "iloveyou123", "admin12345", "zhengzhou123",
    "p@ssw0rd123", "qwer1234!@#$", "aa123456789",
})


def password_problems(password: str) -> list[str]:
    """Every way ``password`` falls short of the policy, in Chinese; empty when it passes."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少需要{MIN_LENGTH}个字符")
    classes = sum((
        any(ch.islower() for ch in password),
        any(ch.isupper() for ch in password),
        any(ch.isdigit() for ch in password),
        any(not ch.isalnum() for ch in password),
    ))
    if classes < 3:
        problems.append("密码需包含大写字母、小写字母、数字、符号中的至少三类")
    if password.lower() in COMMON_PASSWORDS:
        problems.append("该密码过于常见，请换一个")
    return problems
