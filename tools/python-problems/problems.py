# The bundled Python problems (deduction: description, reference solution, test inputs). build.py runs each
# solution on its inputs to write the expected outputs into src/data/python-problems.json, and derives the
# abduction problems (program + expected output, find an input) from the same programs.
P = []
def p(id, text, sol, *inputs):
    P.append(dict(id=id, text=text, solution=sol.strip('\n') + '\n', inputs=list(inputs)))

p('sum_two', 'Read two integers a and b on one line and print a + b.',
  'a, b = map(int, input().split())\nprint(a + b)', '3 4\n', '-5 5\n', '100 23\n', '0 0\n')
p('max_of_list', 'The first line holds n, the second n integers. Print the largest.',
  'n = int(input())\nxs = list(map(int, input().split()))\nprint(max(xs))', '3\n1 9 2\n', '1\n-4\n', '5\n-1 -2 -3 -4 -5\n', '4\n7 7 3 7\n')
p('reverse_string', 'Read one line and print it reversed.',
  'print(input()[::-1])', 'hello\n', 'ab cd\n', 'racecar\n', 'x\n')
p('count_vowels', 'Read one line and print how many of its characters are vowels (a, e, i, o, u, either case).',
  "s = input()\nprint(sum(c in 'aeiouAEIOU' for c in s))", 'hello world\n', 'AEIOU\n', 'rhythm\n', 'Programming In Python\n')
p('factorial', 'Read n (0 <= n <= 20) and print n!.',
  'import math\nprint(math.factorial(int(input())))', '0\n', '5\n', '10\n', '20\n')
p('fibonacci', 'Read n (0 <= n <= 80) and print the n-th Fibonacci number (F0 = 0, F1 = 1).',
  'n = int(input())\na, b = 0, 1\nfor _ in range(n):\n    a, b = b, a + b\nprint(a)', '0\n', '1\n', '10\n', '80\n')
p('is_prime', 'Read n (1 <= n <= 10^9) and print YES if it is prime, else NO.',
  "n = int(input())\nok = n > 1\nd = 2\nwhile d * d <= n and ok:\n    if n % d == 0:\n        ok = False\n    d += 1\nprint('YES' if ok else 'NO')", '1\n', '2\n', '97\n', '1000000007\n', '91\n')
p('gcd', 'Read two positive integers and print their greatest common divisor.',
  'import math\na, b = map(int, input().split())\nprint(math.gcd(a, b))', '12 18\n', '7 13\n', '100 75\n', '1 1\n')
p('lcm', 'Read two positive integers and print their least common multiple.',
  'import math\na, b = map(int, input().split())\nprint(a * b // math.gcd(a, b))', '4 6\n', '7 13\n', '12 12\n', '9 28\n')
p('sum_digits', 'Read a non-negative integer and print the sum of its decimal digits.',
  'print(sum(int(c) for c in input().strip()))', '0\n', '12345\n', '999\n', '1000001\n')
p('palindrome', 'Read one line; print YES if it reads the same backwards ignoring case and non-letters, else NO.',
  "s = [c.lower() for c in input() if c.isalpha()]\nprint('YES' if s == s[::-1] else 'NO')", 'Racecar\n', 'A man, a plan, a canal: Panama\n', 'hello\n', 'ab\n')
p('word_count', 'Read one line and print the number of words in it (separated by spaces).',
  'print(len(input().split()))', 'the quick brown fox\n', 'one\n', '  spaced   out  words \n', 'a b c d e f\n')
p('fizzbuzz', 'Read n and print the numbers 1..n, one per line, with Fizz for multiples of 3, Buzz for 5, FizzBuzz for both.',
  "n = int(input())\nfor i in range(1, n + 1):\n    print('FizzBuzz' if i % 15 == 0 else 'Fizz' if i % 3 == 0 else 'Buzz' if i % 5 == 0 else i)", '5\n', '15\n', '1\n', '16\n')
p('sort_numbers', 'The first line holds n, the second n integers. Print them sorted ascending, space-separated.',
  "input()\nprint(' '.join(map(str, sorted(map(int, input().split())))))", '3\n3 1 2\n', '1\n5\n', '5\n5 -1 3 3 0\n', '4\n10 9 8 7\n')
p('unique_count', 'The first line holds n, the second n integers. Print how many distinct values there are.',
  'input()\nprint(len(set(input().split())))', '5\n1 2 2 3 3\n', '1\n7\n', '4\n1 1 1 1\n', '6\n1 2 3 4 5 6\n')
p('binary', 'Read a non-negative integer and print it in binary (no prefix).',
  "print(format(int(input()), 'b'))", '0\n', '5\n', '255\n', '1024\n')
p('from_binary', 'Read a binary number and print its decimal value.',
  'print(int(input().strip(), 2))', '0\n', '101\n', '11111111\n', '10000000000\n')
p('char_freq', 'Read one line of lowercase letters and print each distinct letter with its count as "letter count", in alphabetical order, one per line.',
  "from collections import Counter\nfor ch, k in sorted(Counter(input().strip()).items()):\n    print(ch, k)", 'hello\n', 'aaa\n', 'abcabc\n', 'mississippi\n')
p('triangle', 'Read n and print a right triangle of n rows, row i holding i asterisks.',
  "for i in range(1, int(input()) + 1):\n    print('*' * i)", '1\n', '3\n', '5\n', '2\n')
p('collatz', 'Read n >= 1 and print the number of steps the Collatz process (n -> n/2 if even, 3n+1 if odd) takes to reach 1.',
  'n = int(input())\nk = 0\nwhile n != 1:\n    n = n // 2 if n % 2 == 0 else 3 * n + 1\n    k += 1\nprint(k)', '1\n', '6\n', '27\n', '97\n')
p('power_mod', 'Read a, b, m and print a^b mod m.',
  'a, b, m = map(int, input().split())\nprint(pow(a, b, m))', '2 10 1000\n', '3 0 7\n', '7 222 1000000007\n', '10 18 9\n')
p('average', 'The first line holds n, the second n integers. Print their mean with two decimals.',
  "input()\nxs = list(map(int, input().split()))\nprint(f'{sum(xs) / len(xs):.2f}')", '3\n1 2 3\n', '2\n1 2\n', '4\n-1 -1 2 5\n', '1\n7\n')
p('second_largest', 'The first line holds n >= 2, the second n integers with at least two distinct values. Print the second largest distinct value.',
  'input()\nxs = sorted(set(map(int, input().split())))\nprint(xs[-2])', '3\n1 2 3\n', '4\n5 5 4 1\n', '2\n-1 -2\n', '5\n9 9 9 8 9\n')
p('caesar', 'The first line holds a shift k, the second a lowercase word. Print the word with each letter shifted k places forward in the alphabet (wrapping around).',
  "k = int(input())\nprint(''.join(chr((ord(c) - 97 + k) % 26 + 97) for c in input().strip()))", '1\nabc\n', '3\nxyz\n', '13\nhello\n', '0\nsame\n')
p('anagram', 'Read two words on two lines; print YES if they are anagrams of each other, else NO.',
  "a = input().strip()\nb = input().strip()\nprint('YES' if sorted(a) == sorted(b) else 'NO')", 'listen\nsilent\n', 'abc\nabd\n', 'a\na\n', 'aab\nabb\n')
p('matrix_sum', 'The first line holds r and c, then r lines of c integers. Print the sum of each row on one line, space-separated.',
  "r, c = map(int, input().split())\nprint(' '.join(str(sum(map(int, input().split()))) for _ in range(r)))", '2 2\n1 2\n3 4\n', '1 3\n1 1 1\n', '3 1\n5\n-5\n0\n', '2 3\n1 2 3\n4 5 6\n')
p('transpose', 'The first line holds r and c, then r lines of c integers. Print the transposed matrix, c lines of r integers.',
  "r, c = map(int, input().split())\nm = [input().split() for _ in range(r)]\nfor j in range(c):\n    print(' '.join(m[i][j] for i in range(r)))", '2 2\n1 2\n3 4\n', '1 3\n1 2 3\n', '2 3\n1 2 3\n4 5 6\n', '1 1\n9\n')
p('running_sum', 'The first line holds n, the second n integers. Print their running sums, space-separated.',
  "from itertools import accumulate\ninput()\nprint(' '.join(map(str, accumulate(map(int, input().split())))))", '3\n1 2 3\n', '1\n5\n', '4\n1 -1 1 -1\n', '5\n0 0 0 0 1\n')
p('count_primes', 'Read n and print how many primes are at most n.',
  'n = int(input())\ns = [True] * (n + 1)\nc = 0\nfor i in range(2, n + 1):\n    if s[i]:\n        c += 1\n        for j in range(i * i, n + 1, i):\n            s[j] = False\nprint(c)', '1\n', '10\n', '100\n', '10000\n')
p('title_case', 'Read one line of words and print it with each word capitalised (first letter upper, the rest lower).',
  "print(' '.join(w.capitalize() for w in input().split()))", 'hello world\n', 'PYTHON is FUN\n', 'a\n', 'mIxEd CaSe wOrDs\n')
p('longest_word', 'Read one line of words and print the longest (the first one when several tie).',
  'print(max(input().split(), key=len))', 'the quick brown fox\n', 'a bb cc\n', 'single\n', 'hi there everyone\n')
p('remove_duplicates', 'Read one line of words and print them without repeats, keeping first occurrences, space-separated.',
  "seen = []\nfor w in input().split():\n    if w not in seen:\n        seen.append(w)\nprint(' '.join(seen))", 'a b a c b\n', 'x\n', 'one one one\n', 'p q r q p\n')
p('digits_reverse', 'Read a non-negative integer and print its digits reversed, without leading zeros (0 stays 0).',
  'print(int(input().strip()[::-1]))', '123\n', '100\n', '0\n', '907\n')
p('leap_year', 'Read a year and print YES if it is a leap year in the Gregorian calendar, else NO.',
  "y = int(input())\nprint('YES' if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0) else 'NO')", '2000\n', '1900\n', '2024\n', '2023\n')
p('min_max', 'The first line holds n, the second n integers. Print the minimum and the maximum, space-separated.',
  'input()\nxs = list(map(int, input().split()))\nprint(min(xs), max(xs))', '3\n3 1 2\n', '1\n0\n', '4\n-7 7 0 3\n', '2\n5 5\n')
p('even_odd', 'The first line holds n, the second n integers. Print how many are even and how many odd, space-separated.',
  'input()\nxs = [int(x) % 2 for x in input().split()]\nprint(xs.count(0), xs.count(1))', '4\n1 2 3 4\n', '1\n0\n', '3\n1 3 5\n', '5\n-2 -1 0 1 2\n')
p('balanced', 'Read a line of brackets ()[]{} and print YES if they are balanced, else NO.',
  "pairs = {')': '(', ']': '[', '}': '{'}\nst = []\nok = True\nfor c in input().strip():\n    if c in '([{':\n        st.append(c)\n    elif not st or st.pop() != pairs[c]:\n        ok = False\nprint('YES' if ok and not st else 'NO')", '()[]{}\n', '([)]\n', '((\n', '{[()()]}\n')
p('run_length', 'Read a word and print its run-length encoding: each run as the letter followed by its length.',
  "from itertools import groupby\nprint(''.join(f'{k}{len(list(g))}' for k, g in groupby(input().strip())))", 'aaabcc\n', 'a\n', 'abc\n', 'zzzzzzzzzzzz\n')
p('divisors', 'Read n >= 1 and print its divisors in increasing order, space-separated.',
  "n = int(input())\nprint(' '.join(str(d) for d in range(1, n + 1) if n % d == 0))", '1\n', '12\n', '13\n', '36\n')
p('perfect_square', 'Read n >= 0 and print YES if it is a perfect square, else NO.',
  "import math\nn = int(input())\nprint('YES' if math.isqrt(n) ** 2 == n else 'NO')", '0\n', '16\n', '15\n', '1000000\n')
p('grade', 'Read a score 0..100 and print its grade: A (90+), B (80+), C (70+), D (60+), else F.',
  "s = int(input())\nprint('A' if s >= 90 else 'B' if s >= 80 else 'C' if s >= 70 else 'D' if s >= 60 else 'F')", '95\n', '80\n', '61\n', '12\n')
p('dot_product', 'The first line holds n, then two lines of n integers. Print their dot product.',
  'input()\na = map(int, input().split())\nb = map(int, input().split())\nprint(sum(x * y for x, y in zip(a, b)))', '3\n1 2 3\n4 5 6\n', '1\n-2\n3\n', '2\n0 0\n9 9\n', '4\n1 1 1 1\n1 2 3 4\n')
p('hours_minutes', 'Read a number of minutes and print it as H:MM.',
  "m = int(input())\nprint(f'{m // 60}:{m % 60:02d}')", '0\n', '59\n', '61\n', '1440\n')
p('max_subarray', 'The first line holds n, the second n integers. Print the largest sum of a non-empty contiguous subarray.',
  'input()\nbest = cur = None\nfor x in map(int, input().split()):\n    cur = x if cur is None or cur < 0 else cur + x\n    best = cur if best is None else max(best, cur)\nprint(best)', '5\n-2 1 -3 4 -1\n', '1\n-5\n', '4\n1 2 3 4\n', '6\n2 -1 2 -1 2 -9\n')
