# %% [markdown]
# # Optimizing Functions of One Variable: Cost Minimization
#
# In this assignment you will look for the cheapest way to buy a product from two suppliers whose
# prices change every month. You will write the cost as a function of one variable, let JAX
# differentiate it, and find the value of that variable where the cost is lowest.

# %% [markdown]
# # Table of Contents
#
# - [ 1 - The Problem](#1)
# - [ 2 - Packages](#2)
# - [ 3 - Loading the Prices](#3)
#   - [ Exercise 1](#ex01)
# - [ 4 - The Function to Minimise](#4)
#   - [ Exercise 2](#ex02)
#   - [ Exercise 3](#ex03)
# - [ 5 - Evaluating the Function and its Derivative on a Grid](#5)
#   - [ Exercise 4](#ex04)
#   - [ Exercise 5](#ex05)

# %% [markdown]
# <a name='1'></a>
# ## 1 - The Problem
#
# A company buys the same part every month from supplier $A$ and from supplier $B$. Both price lists
# move up and down over the year. If a share $\omega$ of the parts comes from $A$ and the rest,
# $1-\omega$, from $B$, the price paid in month $i$ is
#
# $$f_i(\omega) = p_{A,i}\,\omega + p_{B,i}\,(1-\omega).$$
#
# The company wants a price that moves as little as possible, so the cost to minimise is the
# (population) variance of these prices over the months:
#
# $$\mathcal{L}(\omega) = \frac{1}{k}\sum_{i=1}^{k}\left(f_i(\omega) - \overline{f(\omega)}\right)^2.$$

# %% [markdown]
# <a name='2'></a>
# ## 2 - Packages
#
# Run the cell below to load the packages for this assignment. `jax.numpy` is imported under the
# name `np`: it has the same functions as NumPy, and `grad` can differentiate through them.

# %%
# A version of NumPy whose arrays JAX can differentiate.
import jax.numpy as np
# Automatic differentiation and vectorisation.
from jax import grad, vmap
# Tables and plots.
import pandas as pd
import matplotlib.pyplot as plt

# Plots are shown in the notebook.
# %matplotlib inline

import w1_unittest

# %% [markdown]
# <a name='3'></a>
# ## 3 - Loading the Prices
#
# The file `data/prices.csv` holds one row per month, with the price of one part at each supplier
# (in dollars).

# %%
df = pd.read_csv('data/prices.csv')

# %%
df.head()

# %% [markdown]
# <a name='ex01'></a>
# ### Exercise 1
#
# Take the two price columns out of the table as arrays, and turn them into `float32` arrays so that
# JAX can work with them.

# %%
### START CODE HERE ### (~ 4 lines of code)
prices_A = df['price_supplier_a_dollars_per_item'].to_numpy()
prices_B = df['price_supplier_b_dollars_per_item'].to_numpy()
prices_A = np.array(prices_A).astype('float32')
prices_B = np.array(prices_B).astype('float32')
### END CODE HERE ###

# %%
print("prices_A:\n", prices_A[:5])
print("prices_B:\n", prices_B[:5])
print(f"Shape of prices_A array: {prices_A.shape}")
print(f"Shape of prices_B array: {prices_B.shape}")

# %%
# Test your solution.
w1_unittest.test_load_and_convert_data(prices_A, prices_B)

# %%
plt.plot(prices_A, 'g', label="Supplier A")
plt.plot(prices_B, 'b', label="Supplier B")
plt.legend()

plt.show()

# %% [markdown]
# <a name='4'></a>
# ## 4 - The Function to Minimise
#
# <a name='ex02'></a>
# ### Exercise 2
#
# Write the function $f(\omega) = p_A\,\omega + p_B\,(1-\omega)$. It takes the share `omega` and the two
# price arrays `pA`, `pB`, and returns the array of blended prices, one per month.

# %%
# GRADED FUNCTION: f_of_omega

def f_of_omega(omega, pA, pB):
    ### START CODE HERE ### (~ 1 line of code)
    f = prices_A * omega + prices_B * (1 - omega)
    ### END CODE HERE ###
    return f

# %%
print("f = ", f_of_omega(0.4, prices_A, prices_B)[:5])

# %%
w1_unittest.test_f_of_omega(f_of_omega)

# %% [markdown]
# <a name='ex03'></a>
# ### Exercise 3
#
# Write $\mathcal{L}(\omega)$, the variance of the blended prices: the mean of the squared
# differences between each $f_i(\omega)$ and their mean. Use `f_of_omega`.

# %%
# GRADED FUNCTION: L_of_omega

def L_of_omega(omega, pA, pB):
    ### START CODE HERE ### (~ 2 lines of code)
    f = f_of_omega(omega, pA, pB)
    L = 1/len(f) * np.sum((f - np.mean(f))**2)
    ### END CODE HERE ###
    return L

# %%
print("L(omega = 0.4) =", L_of_omega(0.4, prices_A, prices_B))
print("dLdOmega(omega = 0.4) =", grad(L_of_omega)(0.4, prices_A, prices_B))

# %% [markdown]
# <a name='5'></a>
# ## 5 - Evaluating the Function and its Derivative on a Grid
#
# To see where the minimum lies, evaluate $\mathcal{L}$ and its derivative at many values of $\omega$
# between 0 and 1.

# %%
N = 1001
omega_array = np.linspace(0, 1, N, endpoint=True)

# %% [markdown]
# <a name='ex04'></a>
# ### Exercise 4
#
# Complete `L_of_omega_array`: for every value `omega_array[i]`, compute $\mathcal{L}$ and store it at
# position `i`. JAX arrays cannot be changed in place: `L_array.at[i].set(L)` returns a new array with
# the value stored.

# %%
# GRADED FUNCTION: L_of_omega_array

def L_of_omega_array(omega_array, pA, pB):
    N = len(omega_array)
    L_array = np.zeros(N)

    for i in range(N):
        ### START CODE HERE ### (~ 2 lines of code)
        L = L_of_omega(omega_array[i], pA, pB)
        L_array = L_array.at[i].set(L)
        ### END CODE HERE ###

    return L_array

L_array = L_of_omega_array(omega_array, prices_A, prices_B)

print("L_array[0] =", L_array[0])
print("L_array[N-1] =", L_array[N-1])

# %%
w1_unittest.test_L_of_omega_array(L_of_omega_array)

# %% [markdown]
# <a name='ex05'></a>
# ### Exercise 5
#
# In the same way, complete `dLdOmega_of_omega_array`: the derivative of $\mathcal{L}$ at every
# value of `omega_array`, computed with `grad`.

# %%
# GRADED FUNCTION: dLdOmega_of_omega_array

def dLdOmega_of_omega_array(omega_array, pA, pB):
    N = len(omega_array)
    dLdOmega_array = np.zeros(N)

    for i in range(N):
        ### START CODE HERE ### (~ 2 lines of code)
        dLdOmega = grad(L_of_omega)(omega_array[i], pA, pB)
        dLdOmega_array = dLdOmega_array.at[i].set(dLdOmega)
        ### END CODE HERE ###

    return dLdOmega_array

dLdOmega_array = dLdOmega_of_omega_array(omega_array, prices_A, prices_B)

print("dLdOmega_array[0] =", dLdOmega_array[0])
print("dLdOmega_array[N-1] =", dLdOmega_array[N-1])

# %%
w1_unittest.test_dLdOmega_of_omega_array(dLdOmega_of_omega_array)

# %% [markdown]
# Now find the $\omega$ where the derivative changes sign, and plot both curves.

# %%
i_opt = np.where(dLdOmega_array > 0)[0][0]

print(f"omega_min = {omega_array[i_opt]:.3f}")
print(f"L(omega_min) = {L_array[i_opt]:.3f}")
print(f"dLdOmega(omega_min) = {dLdOmega_array[i_opt]:.3f}")

# %%
fig, ax = plt.subplots(figsize=(10, 6))
ax.plot(omega_array, L_array, "black", label="L(omega)")
ax.plot(omega_array, dLdOmega_array, "orange", label="dL/domega")
ax.plot([omega_array[i_opt], omega_array[i_opt]], [-20, 60], "g--")
ax.legend()
ax.grid()
plt.show()

# %% [markdown]
# Congratulations, you have finished the assignment!
